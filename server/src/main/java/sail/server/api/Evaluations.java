package sail.server.api;

import io.vertx.core.json.JsonObject;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import sail.server.evaluation.EvaluationReport;
import sail.server.evaluation.Evaluator;
import sail.server.evaluation.Fluency;
import sail.server.evaluation.HeadToHead;
import sail.v1.EvaluateResponse;

/**
 * The Evaluate admin call as both boundaries need it: checks the request, starts the evaluation off
 * the event loop, and lays the report out as proto or JSON (the same field names in both).
 */
final class Evaluations {
  private Evaluations() {}

  /**
   * Starts an evaluation on the evaluator's own thread.
   *
   * @return fails with an {@link ApiException} for a bad request or a server without a model, or
   *     with the evaluator's error ({@code UnknownVersionException} maps to NOT_FOUND)
   */
  static CompletableFuture<EvaluationReport> start(
      GenerationService service, OptionalLong version, int prompts, OptionalLong seed) {
    Evaluator evaluator = service.evaluator();
    if (evaluator == null) {
      return CompletableFuture.failedFuture(
          new ApiException.Unavailable(
              "evaluation needs the model: it is still loading, or this engine has no versions"));
    }
    if (prompts < 0 || prompts > evaluator.availablePrompts()) {
      return CompletableFuture.failedFuture(
          new ApiException.InvalidArgument(
              "prompts",
              "must be in [0, "
                  + evaluator.availablePrompts()
                  + "] (0 = "
                  + evaluator.settings().defaultPrompts()
                  + "), got "
                  + prompts));
    }
    return evaluator.submit(new Evaluator.Request(version, prompts, seed));
  }

  static EvaluateResponse toProto(EvaluationReport report) {
    HeadToHead outcome = report.outcome();
    double[] ci = outcome.winRate().ci95();
    return EvaluateResponse.newBuilder()
        .setModelVersion(report.version())
        .setReferenceVersion(report.referenceVersion())
        .setPrompts(report.prompts())
        .setWins(outcome.winRate().wins())
        .setTies(outcome.winRate().ties())
        .setLosses(outcome.winRate().losses())
        .setWinRate(outcome.winRate().rate())
        .setCi95Low(ci[0])
        .setCi95High(ci[1])
        .setTieRate(outcome.winRate().tieRate())
        .setFluency(toProto(outcome.fluency()))
        .setReferenceFluency(toProto(outcome.referenceFluency()))
        .setJudge(report.judge())
        .setSeed(report.seed())
        .putMetrics("judge.mean_score", outcome.meanScore())
        .putMetrics("judge.reference_mean_score", outcome.referenceMeanScore())
        .build();
  }

  static JsonObject toJson(EvaluationReport report) {
    HeadToHead outcome = report.outcome();
    double[] ci = outcome.winRate().ci95();
    return new JsonObject()
        .put("model_version", report.version())
        .put("reference_version", report.referenceVersion())
        .put("prompts", report.prompts())
        .put("wins", outcome.winRate().wins())
        .put("ties", outcome.winRate().ties())
        .put("losses", outcome.winRate().losses())
        .put("win_rate", outcome.winRate().rate())
        .put("ci95_low", ci[0])
        .put("ci95_high", ci[1])
        .put("tie_rate", outcome.winRate().tieRate())
        .put("fluency", toJson(outcome.fluency()))
        .put("reference_fluency", toJson(outcome.referenceFluency()))
        .put("judge", report.judge())
        .put("seed", report.seed())
        .put(
            "metrics",
            new JsonObject()
                .put("judge.mean_score", outcome.meanScore())
                .put("judge.reference_mean_score", outcome.referenceMeanScore()));
  }

  private static sail.v1.Fluency toProto(Fluency fluency) {
    return sail.v1.Fluency.newBuilder()
        .setRepetitionRate(fluency.repetitionRate())
        .setDistinctWordRatio(fluency.distinctWordRatio())
        .setPooledDistinctWordRatio(fluency.pooledDistinctWordRatio())
        .setDistinctWordsCounted(fluency.comparedWords())
        .setDictionaryShare(fluency.dictionaryShare())
        .build();
  }

  private static JsonObject toJson(Fluency fluency) {
    return new JsonObject(fluency.fields());
  }
}
