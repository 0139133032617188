package sail.client.cli;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import sail.v1.Completion;
import sail.v1.EvaluateResponse;
import sail.v1.Fluency;
import sail.v1.StatusResponse;

/** JSON shapes the CLI prints with {@code --json}. */
public final class Output {
  private Output() {}

  static JsonObject completion(Completion c) {
    return new JsonObject()
        .put("id", c.getId())
        .put("text", c.getText())
        .put("model_version", c.getModelVersion())
        .put("finish_reason", c.getFinishReason().name().toLowerCase(Locale.ROOT))
        .put("prompt_tokens", c.getPromptTokens())
        .put("completion_tokens", c.getCompletionTokens());
  }

  static JsonObject status(StatusResponse s) {
    JsonObject out = statusWithoutTraining(s);
    if (s.hasTraining()) {
      var t = s.getTraining();
      io.vertx.core.json.JsonArray guards = new io.vertx.core.json.JsonArray();
      for (var g : t.getGuardsList()) {
        guards.add(
            new JsonObject()
                .put("name", g.getName())
                .put("value", g.getValue())
                .put("bound", g.getBound())
                .put("passed", g.getPassed()));
      }
      JsonObject training =
          new JsonObject()
              .put("state", t.getState())
              .put("step", t.getStep())
              .put("published_version", t.getPublishedVersion())
              .put("last_loss", t.getLastLoss())
              .put("last_publish_step", t.getLastPublishStep())
              .put("last_publish_passed", t.getLastPublishPassed())
              .put("last_publish_ms", t.getLastPublishMs())
              .put("guards", guards);
      if (t.hasRewardModel()) {
        training.put("reward_model", rewardModel(t.getRewardModel()));
      }
      if (t.hasTime()) {
        training.put("time_s", trainingTime(t.getTime()));
      }
      out.put("training", training);
    }
    return out;
  }

  /**
   * The learned reward model's status as JSON: {@code steps}, {@code ready}, {@code back_off},
   * {@code held_out_examples}, {@code accuracy} and {@code ranking_accuracy} once they have been
   * measured, and {@code label_gap} and {@code label_coverage} while it labels fresh pairs.
   */
  public static JsonObject rewardModel(sail.v1.RewardModelStatus r) {
    JsonObject model =
        new JsonObject()
            .put("steps", r.getSteps())
            .put("ready", r.getReady())
            .put("back_off", r.getBackOff())
            .put("held_out_examples", r.getHeldOutExamples());
    if (r.getHeldOutExamples() > 0) {
      model.put("accuracy", r.getAccuracy());
    }
    if (!Double.isNaN(r.getRankingAccuracy()) && r.getHeldOutExamples() > 0) {
      model.put("ranking_accuracy", r.getRankingAccuracy());
    }
    // 0 in both from a server that predates them: a gap of 0 with no coverage labels nothing
    if (!Double.isNaN(r.getLabelGap()) && r.getLabelCoverage() > 0) {
      model.put("label_gap", r.getLabelGap()).put("label_coverage", r.getLabelCoverage());
    }
    return model;
  }

  /**
   * Where the trainer's time went, in seconds, with the field names of the HTTP status: {@code
   * reward_model}, {@code data}, {@code update}, {@code publish}, {@code checkpoint}.
   */
  public static JsonObject trainingTime(sail.v1.TrainingTime time) {
    return new JsonObject()
        .put("reward_model", time.getRewardModelS())
        .put("data", time.getDataS())
        .put("update", time.getUpdateS())
        .put("publish", time.getPublishS())
        .put("checkpoint", time.getCheckpointS());
  }

  /** The Evaluate answer, with the field names of {@code POST /v1/admin/evaluate}. */
  static JsonObject evaluation(EvaluateResponse e) {
    JsonObject metrics = new JsonObject();
    e.getMetricsMap().forEach(metrics::put);
    return new JsonObject()
        .put("model_version", e.getModelVersion())
        .put("reference_version", e.getReferenceVersion())
        .put("prompts", e.getPrompts())
        .put("wins", e.getWins())
        .put("ties", e.getTies())
        .put("losses", e.getLosses())
        .put("win_rate", e.getWinRate())
        .put("ci95_low", e.getCi95Low())
        .put("ci95_high", e.getCi95High())
        .put("tie_rate", e.getTieRate())
        .put("fluency", fluency(e.getFluency()))
        .put("reference_fluency", fluency(e.getReferenceFluency()))
        .put("judge", e.getJudge())
        .put("seed", e.getSeed())
        .put("metrics", metrics);
  }

  /** One human-readable line of an Evaluate answer. */
  static String evaluationLine(EvaluateResponse e) {
    return String.format(
        Locale.ROOT,
        "version %d vs %d on %d prompts (%s): %d wins, %d ties, %d losses;"
            + " win-rate %.3f [%.3f, %.3f], ties %.3f; repetition %.3f vs %.3f,"
            + " distinct words %.3f vs %.3f",
        e.getModelVersion(),
        e.getReferenceVersion(),
        e.getPrompts(),
        e.getJudge(),
        e.getWins(),
        e.getTies(),
        e.getLosses(),
        e.getWinRate(),
        e.getCi95Low(),
        e.getCi95High(),
        e.getTieRate(),
        e.getFluency().getRepetitionRate(),
        e.getReferenceFluency().getRepetitionRate(),
        e.getFluency().getDistinctWordRatio(),
        e.getReferenceFluency().getDistinctWordRatio());
  }

  private static JsonObject fluency(Fluency f) {
    return new JsonObject()
        .put("repetition_rate", f.getRepetitionRate())
        .put("distinct_word_ratio", f.getDistinctWordRatio())
        .put("distinct_words_counted", f.getDistinctWordsCounted())
        .put("distinct_word_ratio_pooled", f.getPooledDistinctWordRatio())
        .put("dictionary_share", f.getDictionaryShare());
  }

  private static JsonObject statusWithoutTraining(StatusResponse s) {
    return new JsonObject()
        .put("model_version", s.getModelVersion())
        .put(
            "counts",
            new JsonObject()
                .put("generations", s.getCounts().getGenerations())
                .put("feedback", s.getCounts().getFeedback())
                .put("preferences", s.getCounts().getPreferences()))
        .put("queued", s.getQueued())
        .put("active", s.getActive())
        .put("uptime_seconds", s.getUptimeSeconds())
        .put("ready", s.getReady());
  }
}
