package sail.server.training.mixture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
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

  private static MixtureSampler sampler(
      MixtureWeights weights, List<FeedbackPairs> feedback, long seed) {
    OfflinePairs data = dataset(10);
    return new MixtureSampler(
        new MixtureSampler.Settings(weights, 1.0, new StalenessBound(2), true, seed),
        data,
        data.prompts(),
        feedback);
  }

  @Test
  void plainDpoUsesOnlyDatasetPairsAndSeesEachOncePerPass() {
    OfflinePairs data = dataset(10);
    MixtureSampler sampler =
        new MixtureSampler(
            MixtureSampler.Settings.of(ObjectiveConfig.dpo(), 1), data, data.prompts(), List.of());
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
    MixtureSampler sampler = sampler(weights, List.of(), 11);
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
  void aRewardSourceThatIsNotReadyLabelsNoFreshRows() {
    MixtureWeights weights = new MixtureWeights(0, 0, 1);
    OfflinePairs data = dataset(10);
    InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();
    feedback.add("logged", "yes", "no", 3, Instant.EPOCH);
    MixtureSampler.Settings half =
        new MixtureSampler.Settings(weights, 0.5, new StalenessBound(2), true, 9);
    MixtureSampler notReady = new MixtureSampler(half, data, data.prompts(), List.of(feedback));
    MixtureSampler ready = new MixtureSampler(half, data, data.prompts(), List.of(feedback));

    // not ready: every DPR row takes the person's label (replayed), none is a fresh sample
    StepPlan waiting = notReady.next(32, 3, false);
    assertEquals(32, waiting.rowsOf(PlannedRow.FeedbackRow.class).size());
    // ready: about half of the rows become fresh samples for the reward model
    int fresh = ready.next(32, 3, true).rowsOf(PlannedRow.FreshRow.class).size();
    assertTrue(fresh > 8 && fresh < 24, fresh + " fresh rows of 32");

    // not ready and no label yet: offline rows meanwhile
    MixtureSampler empty =
        new MixtureSampler(half, data, data.prompts(), List.of(new InMemoryFeedbackPairs()));
    for (PlannedRow row : empty.next(8, 0, false).rows()) {
      assertEquals(Route.OFFLINE_DPO, row.route());
    }
  }

  @Test
  void aFreshRowTheRewardModelWillNotLabelTakesAPersonsLabelWithoutChangingThePlan() {
    InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();
    feedback.add("old", "a", "b", 1, Instant.EPOCH); // lag 9 > 2: never drawn
    feedback.add("recent", "c", "d", 9, Instant.EPOCH);
    MixtureWeights weights = new MixtureWeights(0, 0, 1);
    MixtureSampler.Settings half =
        new MixtureSampler.Settings(weights, 0.5, new StalenessBound(2), true, 11);
    OfflinePairs data = dataset(10);
    MixtureSampler asked = new MixtureSampler(half, data, data.prompts(), List.of(feedback));
    MixtureSampler notAsked = new MixtureSampler(half, data, data.prompts(), List.of(feedback));

    StepPlan plan = asked.next(16, 10, true);
    assertEquals(plan, notAsked.next(16, 10, true));
    PlannedRow.FreshRow fresh = plan.rowsOf(PlannedRow.FreshRow.class).get(0);
    PlannedRow.FeedbackRow person = asked.feedbackRow(fresh.slot(), 10);
    assertEquals(fresh.slot(), person.slot());
    assertEquals("recent", person.prompt(), "only admitted labels");
    assertEquals(1, person.versionLag());
    assertEquals(person, asked.feedbackRow(fresh.slot(), 10), "the same draw for the same slot");
    // the next plans do not depend on whether a label was asked for
    assertEquals(notAsked.next(16, 10, true), asked.next(16, 10, true));

    MixtureSampler none =
        new MixtureSampler(half, data, data.prompts(), List.of(new InMemoryFeedbackPairs()));
    none.next(4, 0, true);
    assertNull(none.feedbackRow(0, 0), "no labels to draw from");
  }

  @Test
  void aRestoredStateGivesTheSameNextStep() {
    InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();
    for (int i = 0; i < 30; i++) {
      feedback.add("logged " + i, "yes " + i, "no " + i, 5, Instant.EPOCH);
    }
    MixtureWeights weights = new MixtureWeights(0.3, 0.2, 0.3);
    MixtureSampler original = sampler(weights, List.of(feedback), 42);
    for (int step = 0; step < 7; step++) {
      original.next(8, 5);
    }
    SamplerState saved = original.state();
    StepPlan expected = original.next(8, 5);
    StepPlan expectedAfter = original.next(8, 5);

    MixtureSampler resumed = sampler(weights, List.of(feedback), 42);
    resumed.restore(saved);
    assertEquals(expected, resumed.next(8, 5));
    assertEquals(expectedAfter, resumed.next(8, 5));
  }

  @Test
  void dprRowsReplayRecentFeedbackWithinTheStalenessBound() {
    InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();
    feedback.add("old", "a", "b", 1, Instant.EPOCH); // lag 9 > 2: never drawn
    feedback.add("recent", "c", "d", 8, Instant.EPOCH); // lag 2: admitted
    feedback.add("current", "e", "f", 10, Instant.EPOCH); // lag 0: admitted
    MixtureSampler sampler = sampler(new MixtureWeights(0, 0, 1), List.of(feedback), 5);

    StepPlan plan = sampler.next(40, 10);
    List<PlannedRow.FeedbackRow> fromPeople = plan.rowsOf(PlannedRow.FeedbackRow.class);
    // feedback share 1: every DPR row takes a label while one is admitted, with replacement
    assertEquals(40, fromPeople.size());
    Set<String> prompts = new HashSet<>();
    for (PlannedRow.FeedbackRow row : fromPeople) {
      prompts.add(row.prompt());
      assertEquals("recent".equals(row.prompt()) ? 2 : 0, row.versionLag());
    }
    assertEquals(Set.of("recent", "current"), prompts);
    assertEquals(1, plan.staleFeedbackSkipped());
    assertEquals(List.of(3L), sampler.state().feedbackCursors());

    // once everything is too old, DPR rows fall back to fresh samples for the reward source
    StepPlan later = sampler.next(4, 20);
    assertEquals(4, later.rowsOf(PlannedRow.FreshRow.class).size());
    assertEquals(3, later.staleFeedbackSkipped());
  }

  @Test
  void heldOutLabelsAreNeverTrainedOnAndAreWhatTheAccuracyGuardReads() {
    InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();
    Set<String> heldOut = new HashSet<>();
    for (int i = 0; i < 80; i++) {
      FeedbackPair pair = feedback.add("p" + i, "yes", "no", 10, Instant.EPOCH);
      if (HeldOutSplit.DEFAULT.holdsOut(pair.source(), pair.id())) {
        heldOut.add(pair.prompt());
      }
    }
    // one in eight by hash: about ten of eighty
    assertTrue(heldOut.size() >= 4 && heldOut.size() <= 20, "held out: " + heldOut.size());
    MixtureSampler sampler = sampler(new MixtureWeights(0, 0, 1), List.of(feedback), 5);
    Set<String> trained = new HashSet<>();
    for (int step = 0; step < 20; step++) {
      for (PlannedRow.FeedbackRow row : sampler.next(40, 10).rowsOf(PlannedRow.FeedbackRow.class)) {
        trained.add(row.prompt());
      }
    }
    assertEquals(80 - heldOut.size(), trained.size(), "every other label is drawn");
    assertTrue(trained.stream().noneMatch(heldOut::contains), "a held-out label was trained on");
    Set<String> measured = new HashSet<>();
    sampler.heldOutFeedback(64).forEach(pair -> measured.add(pair.prompt()));
    assertEquals(heldOut, measured);
    assertEquals(3, sampler.heldOutFeedback(3).size(), "the most recent, at most the limit");
  }

  @Test
  void withoutARewardSourceDprRowsFallBackToTheDatasetOrAreLeftOut() {
    InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();
    OfflinePairs data = dataset(4);
    MixtureSampler.Settings people =
        new MixtureSampler.Settings(
            new MixtureWeights(0, 0, 1), 0.5, new StalenessBound(2), false, 3);
    MixtureSampler withData = new MixtureSampler(people, data, data.prompts(), List.of(feedback));
    StepPlan plan = withData.next(6, 0);
    assertEquals(6, plan.rowsOf(PlannedRow.DatasetRow.class).size());
    assertTrue(plan.rows().stream().allMatch(row -> row.route() == Route.OFFLINE_DPO));

    MixtureSampler labelsOnly =
        new MixtureSampler(
            people, OfflinePairs.NONE, PromptSource.of(List.of()), List.of(feedback));
    assertEquals(0, labelsOnly.next(6, 0).rows().size());
    feedback.add("p", "yes", "no", 0, Instant.EPOCH);
    StepPlan labelled = labelsOnly.next(6, 0);
    // without a reward source every DPR row takes a label when there is one, whatever the share
    assertEquals(6, labelled.rowsOf(PlannedRow.FeedbackRow.class).size());
    for (int slot = 0; slot < 6; slot++) {
      assertEquals(slot, labelled.rows().get(slot).slot());
    }
  }

  @Test
  void aRestoredPoolHoldsTheSameWindow() {
    InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();
    for (int i = 0; i < 10; i++) {
      feedback.add("p" + i, "yes", "no", 0, Instant.EPOCH);
    }
    FeedbackPool pool = new FeedbackPool(List.of(feedback), 4, HeldOutSplit.NONE);
    pool.refresh();
    List<Long> cursors = pool.cursors();
    feedback.add("after the checkpoint", "yes", "no", 0, Instant.EPOCH);

    FeedbackPool restored = new FeedbackPool(List.of(feedback), 4, HeldOutSplit.NONE);
    restored.restore(cursors);
    assertEquals(List.of(10L), restored.cursors());
    assertEquals(
        pool.admitted(0, StalenessBound.DEFAULT), restored.admitted(0, StalenessBound.DEFAULT));
    assertEquals(
        List.of("p6", "p7", "p8", "p9"),
        restored.admitted(0, StalenessBound.DEFAULT).stream().map(FeedbackPair::prompt).toList());
  }

  @Test
  void dprRowsDrawFromTheMostRecentLabelsWhateverTheirSource() {
    // a busy stream of choices and a slow one of thumbs-up-vs-down pairs, each window full
    InMemoryFeedbackPairs choices = new InMemoryFeedbackPairs();
    InMemoryFeedbackPairs ratings = new InMemoryFeedbackPairs();
    for (int i = 0; i < 10; i++) {
      choices.add("choice" + i, "yes", "no", 0, Instant.ofEpochSecond(100 + i));
    }
    for (int i = 0; i < 4; i++) {
      ratings.add("rating" + i, "yes", "no", 0, Instant.ofEpochSecond(30L * i));
    }
    FeedbackPool pool = new FeedbackPool(List.of(choices, ratings), 4, HeldOutSplit.NONE);
    pool.refresh();
    List<FeedbackPair> admitted = pool.admitted(0, StalenessBound.DEFAULT);
    assertEquals(8, admitted.size(), "four of each source in the windows");

    assertEquals(
        List.of("choice6", "choice7", "choice8", "choice9", "rating3"),
        FeedbackPool.mostRecent(admitted, 5).stream().map(FeedbackPair::prompt).toList());
    assertEquals(admitted, FeedbackPool.mostRecent(admitted, 8));
    // labels of the same moment: the later in the list is the more recent
    assertEquals(
        List.of("rating2", "rating3"),
        FeedbackPool.mostRecent(
                List.of(admitted.get(5), admitted.get(6), admitted.get(7)).stream()
                    .map(
                        p ->
                            new FeedbackPair(
                                p.source(),
                                p.id(),
                                p.prompt(),
                                p.chosen(),
                                p.rejected(),
                                p.modelVersion(),
                                Instant.EPOCH,
                                true,
                                true))
                    .toList(),
                2)
            .stream()
            .map(FeedbackPair::prompt)
            .toList());
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
                    List.of()));
    assertTrue(error.getMessage().contains("no prompts"), error.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MixtureSampler.Settings(
                MixtureWeights.OFFLINE, 1.5, StalenessBound.DEFAULT, true, 0));
  }

  @Test
  void inMemoryFeedbackIsReadInIdOrderAfterACursor() {
    InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();
    for (int i = 0; i < 5; i++) {
      feedback.add("p" + i, "c", "r", i, Instant.ofEpochSecond(i));
    }
    List<FeedbackPair> page = feedback.after(2, 2);
    assertEquals(List.of(3L, 4L), page.stream().map(FeedbackPair::id).toList());
    assertEquals("memory#3", page.get(0).asPreferencePair().id());
    assertEquals(0, feedback.after(5, 10).size());
  }
}
