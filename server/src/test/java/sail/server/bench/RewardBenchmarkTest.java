package sail.server.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import sail.server.model.GptLanguageModel;
import sail.server.model.TinyModels;
import sail.server.model.WeightSnapshot;
import sail.server.training.reward.InMemoryRewardLabels;
import sail.server.training.reward.RewardExample;
import sail.server.training.reward.RewardLearner;
import sail.server.training.reward.RewardModel;
import sail.server.training.reward.RewardSource;

class RewardBenchmarkTest {
  @Test
  @SuppressWarnings("unchecked")
  void reportsTheAccuracyCurveAndTheOraclesCeiling() {
    InMemoryRewardLabels ratings = new InMemoryRewardLabels("rating");
    InMemoryRewardLabels choices = new InMemoryRewardLabels("choice");
    InMemoryRewardLabels.kindPeople(ratings, choices, 2);
    // the people's own rule: kind words score 1
    RewardSource oracle =
        items ->
            items.stream()
                .mapToDouble(
                    item ->
                        List.of("a lovely day", "so kind", "wonderful news", "happy")
                                .contains(item.reply())
                            ? 1
                            : 0)
                .toArray();
    try (GptLanguageModel policy = TinyModels.create()) {
      WeightSnapshot base = WeightSnapshot.copyOf(policy.block(), Device.cpu());
      RewardModel reward = RewardModel.create(policy.config(), policy.tokenizer(), policy.device());
      reward.initializeTrunkFrom(base);
      Map<String, Object> result =
          RewardBenchmark.run(
              reward,
              List.of(ratings, choices),
              List.of(),
              oracle,
              new RewardLearner.Settings(8, 1e-2, 1.0, 2048, 4, 16, 5, 256, 0.5, 16, 0, 7),
              12);
      base.release();
      assertEquals(12L, result.get("steps"));
      assertEquals(
          ratings.size() + choices.size(),
          (int) result.get("train_examples") + (int) result.get("held_out_examples"));
      List<Map<String, Object>> curve = (List<Map<String, Object>>) result.get("curve");
      // measured at the first step and every fifth: 1, 5, 10
      assertEquals(List.of(1L, 5L, 10L), curve.stream().map(p -> p.get("step")).toList());
      Map<String, Object> ceiling = (Map<String, Object>) result.get("oracle");
      assertEquals(1.0, (double) ceiling.get("accuracy"), "the people's own rule is never wrong");
      assertFalse(ceiling.containsKey("step"));
      assertTrue((double) result.get("seconds_per_step") > 0);
    }
  }

  @Test
  void agreementWithTheHiddenPreferenceIsCountedApartFromAgreementWithPeople() {
    // the hidden preference likes longer replies; the model likes replies with more "a"s
    RewardSource judge = items -> items.stream().mapToDouble(i -> i.reply().length()).toArray();
    RewardSource model =
        items ->
            items.stream()
                .mapToDouble(i -> i.reply().chars().filter(c -> c == 'a').count())
                .toArray();
    List<RewardExample> heldOut =
        List.of(
            // people chose the longer reply, the model agrees by 3: right with both
            new RewardExample.Comparison("p", "aaaxx", "x"),
            // people chose the shorter reply (a wrong pick); the model agrees with people by 1
            new RewardExample.Comparison("p", "a", "xxxx"),
            // people chose the longer; the model prefers the other by 2
            new RewardExample.Comparison("p", "xxxx", "aa"),
            // equal length: the hidden preference has no order, only people's coin
            new RewardExample.Comparison("p", "ab", "xy"));

    Map<String, Object> p = RewardBenchmark.judgeAgreement(model, judge, heldOut);

    assertEquals(0.25, (double) p.get("judge_tie_share"), 1e-12);
    // all four pairs: the judge orders three, the model agrees with it on the first only
    assertEquals(1 / 3.0, (double) p.get("judge_agreement_100"), 1e-12);
    assertEquals(0.75, (double) p.get("people_agreement_100"), 1e-12); // all but the third
    // widest half by the model's gap: the first (3) and the third (2)
    assertEquals(0.5, (double) p.get("judge_agreement_50"), 1e-12);
    assertEquals(0.5, (double) p.get("people_agreement_50"), 1e-12);
    // widest quarter: the first only
    assertEquals(1.0, (double) p.get("judge_agreement_25"), 1e-12);
    assertEquals(1.0, (double) p.get("people_agreement_25"), 1e-12);
  }
}
