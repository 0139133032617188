package sail.server.training.mixture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import sail.server.training.objective.MixtureWeights;
import sail.server.training.objective.ObjectiveConfig;
import sail.server.training.objective.Route;

class MixtureSamplerTest {
  private static OfflinePairs dataset(int rows) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      lines.add(
          "{\"prompt\":\"prompt "
              + i
              + "\",\"chosen\":\"good "
              + i
              + "\",\"rejected\":\"bad "
              + i
              + "\"}");
    }
    return OfflinePairs.parse("d.jsonl", lines);
  }

  private static MixtureSampler sampler(MixtureWeights weights, FeedbackPairs feedback, long seed) {
    OfflinePairs data = dataset(10);
    return new MixtureSampler(
        new MixtureSampler.Settings(weights, 1.0, new StalenessBound(2), seed),
        data,
        data.prompts(),
        feedback);
  }

  @Test
  void plainDpoUsesOnlyDatasetPairsAndSeesEachOncePerPass() {
    OfflinePairs data = dataset(10);
    MixtureSampler sampler =
        new MixtureSampler(
            MixtureSampler.Settings.of(ObjectiveConfig.dpo(), 1),
            data,
            data.prompts(),
            FeedbackPairs.NONE);
    Set<String> seen = new HashSet<>();
    for (int step = 0; step < 2; step++) {
      StepPlan plan = sampler.next(5, 0);
      assertEquals(step, plan.step());
      for (int slot = 0; slot < 5; slot++) {
        PlannedRow row = plan.rows().get(slot);
        assertEquals(slot, row.slot());
        assertEquals(Route.OFFLINE_DPO, row.route());
        seen.add(assertInstanceOf(PlannedRow.DatasetRow.class, row).pair().id());
      }
    }
    assertEquals(10, seen.size());
  }

  @Test
  void routeFrequenciesFollowTheMixtureWeights() {
    MixtureWeights weights = new MixtureWeights(0.4, 0.3, 0.2);
    MixtureSampler sampler = sampler(weights, FeedbackPairs.NONE, 11);
    Map<Route, Integer> counts = new EnumMap<>(Route.class);
    int rows = 0;
    for (int step = 0; step < 500; step++) {
      for (PlannedRow row : sampler.next(16, 0).rows()) {
        counts.merge(row.route(), 1, Integer::sum);
        rows++;
        if (row.route() == Route.DPP || row.route() == Route.DPR) {
          assertInstanceOf(PlannedRow.FreshRow.class, row);
        }
      }
    }
    for (Route route : Route.values()) {
      double share = counts.getOrDefault(route, 0) / (double) rows;
      assertEquals(weights.probability(route), share, 0.015, route.toString());
    }
  }

  @Test
  void aRestoredStateGivesTheSameNextStep() {
    InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();
    for (int i = 0; i < 30; i++) {
      feedback.add("logged " + i, "yes " + i, "no " + i, 5, Instant.EPOCH);
    }
    MixtureWeights weights = new MixtureWeights(0.3, 0.2, 0.3);
    MixtureSampler original = sampler(weights, feedback, 42);
    for (int step = 0; step < 7; step++) {
      original.next(8, 5);
    }
    SamplerState saved = original.state();
    StepPlan expected = original.next(8, 5);
    StepPlan expectedAfter = original.next(8, 5);

    MixtureSampler resumed = sampler(weights, feedback, 42);
    resumed.restore(saved);
    assertEquals(expected, resumed.next(8, 5));
    assertEquals(expectedAfter, resumed.next(8, 5));
  }

  @Test
  void dprRowsUseFreshFeedbackWithinTheStalenessBoundAndFallBackToFreshSamples() {
    InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();
    feedback.add("old", "a", "b", 1, Instant.EPOCH); // lag 9 > 2: skipped for good
    feedback.add("recent", "c", "d", 8, Instant.EPOCH); // lag 2: admitted
    feedback.add("current", "e", "f", 10, Instant.EPOCH); // lag 0: admitted
    MixtureSampler sampler = sampler(new MixtureWeights(0, 0, 1), feedback, 5);

    StepPlan plan = sampler.next(4, 10);
    List<PlannedRow.FeedbackRow> fromPeople = plan.rowsOf(PlannedRow.FeedbackRow.class);
    assertEquals(
        List.of("recent", "current"), fromPeople.stream().map(PlannedRow::prompt).toList());
    assertEquals(2, fromPeople.get(0).versionLag());
    assertEquals(0, fromPeople.get(1).versionLag());
    assertEquals(1, plan.staleFeedbackSkipped());
    // the rest are fresh-sample DPR rows; each logged pair is used once
    assertEquals(2, plan.rowsOf(PlannedRow.FreshRow.class).size());
    assertTrue(plan.rows().stream().allMatch(row -> row.route() == Route.DPR));
    assertEquals(3, sampler.state().lastFeedbackId());
    assertEquals(0, sampler.next(4, 10).rowsOf(PlannedRow.FeedbackRow.class).size());

    feedback.add("later", "g", "h", 10, Instant.EPOCH);
    assertEquals(1, sampler.next(4, 10).rowsOf(PlannedRow.FeedbackRow.class).size());
  }

  @Test
  void aRouteWithNothingToDrawFromIsRejected() {
    OfflinePairs data = dataset(3);
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new MixtureSampler(
                    MixtureSampler.Settings.of(ObjectiveConfig.sailDpp(), 1),
                    data,
                    PromptSource.of(List.of()),
                    FeedbackPairs.NONE));
    assertTrue(error.getMessage().contains("no prompts"), error.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new MixtureSampler.Settings(MixtureWeights.OFFLINE, 1.5, StalenessBound.DEFAULT, 0));
  }

  @Test
  void inMemoryFeedbackIsReadInIdOrderAfterACursor() {
    InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();
    for (int i = 0; i < 5; i++) {
      feedback.add("p" + i, "c", "r", i, Instant.ofEpochSecond(i));
    }
    List<FeedbackPair> page = feedback.after(2, 2);
    assertEquals(List.of(3L, 4L), page.stream().map(FeedbackPair::id).toList());
    assertEquals("feedback#3", page.get(0).asPreferencePair().id());
    assertEquals(0, feedback.after(5, 10).size());
  }
}
