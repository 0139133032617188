package sail.loadtest.demo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class DemoTableTest {
  static JsonObject fluency(double repetition, double distinct, double pooled, double dictionary) {
    return new JsonObject()
        .put("repetition_rate", repetition)
        .put("distinct_word_ratio", distinct)
        .put("distinct_words_counted", 1650)
        .put("distinct_word_ratio_pooled", pooled)
        .put("dictionary_share", dictionary);
  }

  static JsonObject summary(JsonObject training) {
    return new JsonObject()
        .put("preference", "positive-sentiment")
        .put("preset", "default")
        .put("prompts", 200)
        .put("win_rate", 0.6125)
        .put("win_rate_ci95", new JsonArray().add(0.55).add(0.675))
        .put("wins", 110)
        .put("ties", 25)
        .put("losses", 65)
        .put("tie_rate", 0.125)
        .put("mean_score_base", 0.41)
        .put("mean_score_final", 0.47)
        .put("base_versions", new JsonArray().add(0))
        .put("final_versions", new JsonArray().add(9))
        .put("fluency_base", fluency(0.01, 0.36, 0.36, 0.92))
        .put("fluency_final", fluency(0.012, 0.34, 0.31, 0.91))
        .put("fluency_within_10_percent", true)
        .put("tokens_per_s_training_off", 400.0)
        .put("tokens_per_s_training_on", 320.0)
        .put("throughput_ratio_training_on_off", 0.8)
        .put("latency_p99_ms_training_off", 900.0)
        .put("latency_p99_ms_training_on", 1200.0)
        .put("latency_p99_ratio_training_on_off", 1.333)
        .put("errors", 0L)
        .put("overload_refusals", 0L)
        .put("training", training)
        .put("elapsed_s", 880.0);
  }

  @Test
  void theTableShowsEveryResultOfTheSummary() {
    JsonObject training =
        new JsonObject()
            .put("steps", 140L)
            .put("published_version", 9L)
            .put("state", "RUNNING")
            .put(
                "reward_model",
                new JsonObject()
                    .put("steps", 139L)
                    .put("ready", true)
                    .put("held_out_examples", 256)
                    .put("accuracy", 0.664)
                    .put("ranking_accuracy", 0.652));
    String table = DemoCommand.table(summary(training));
    assertTrue(table.contains("win-rate final vs base 61.3% (95% CI 55.0%–67.5%)"), table);
    assertTrue(table.contains("latency p99 training on/off: 1200 / 900 ms = 1.33"), table);
    assertTrue(
        table.contains(
            "distinct-word ratio       0.360      0.340   (first 1650 words of each;"
                + " all words: 0.360 / 0.310)"),
        table);
    assertTrue(
        table.contains(
            "reward model: 139 steps, held-out accuracy 0.664 (ranking 0.652) on 256 examples,"
                + " labelling fresh"),
        table);
  }

  @Test
  void theTrainersTimeIsShownPerPart() {
    JsonObject training =
        new JsonObject()
            .put("steps", 3L)
            .put("published_version", 0L)
            .put("state", "RUNNING")
            .put(
                "time_s",
                new JsonObject()
                    .put("reward_model", 100.4)
                    .put("data", 50.0)
                    .put("update", 300.0)
                    .put("publish", 80.0)
                    .put("checkpoint", 2.0));
    String table = DemoCommand.table(summary(training));
    assertTrue(
        table.contains(
            "trainer's time: update 300 s, data 50 s, reward model 100 s, publish 80 s,"
                + " checkpoint 2 s"),
        table);
  }

  @Test
  void aServerWithoutARewardModelHasNoRewardLine() {
    JsonObject training =
        new JsonObject().put("steps", 3L).put("published_version", 0L).put("state", "RUNNING");
    assertFalse(DemoCommand.table(summary(training)).contains("reward model"));
  }
}
