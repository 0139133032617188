package sail.loadtest.stats;

import io.vertx.grpc.common.GrpcStatus;
import sail.client.SailClientException;

/** How one request of a virtual user ended. */
public sealed interface Outcome {

  /**
   * The server answered with a reply.
   *
   * @param latencyNanos request sent to last byte of the reply
   * @param ttftNanos request sent to the first streamed text (equal to the latency for unary calls)
   * @param completionTokens {@code completion_tokens} summed over the reply's candidates
   * @param modelVersion version of the model that produced the (first) candidate
   * @param hiddenScore the hidden annotator's score of the (first) candidate, NaN when the user
   *     does not judge replies
   */
  record Success(
      long latencyNanos,
      long ttftNanos,
      int completionTokens,
      long modelVersion,
      double hiddenScore)
      implements Outcome {
    /** A reply nobody judged. */
    public Success(long latencyNanos, long ttftNanos, int completionTokens, long modelVersion) {
      this(latencyNanos, ttftNanos, completionTokens, modelVersion, Double.NaN);
    }
  }

  /** A deliberate overload refusal (RESOURCE_EXHAUSTED): the server protecting itself. */
  record Refused() implements Outcome {}

  /**
   * Anything else that did not produce a reply.
   *
   * @param status the gRPC status name, or {@code TRANSPORT} when no status arrived
   */
  record Failed(String status, String message) implements Outcome {}

  /** Classifies a failed call: overload refusals apart from errors. */
  static Outcome ofError(Throwable error) {
    if (error instanceof SailClientException e) {
      return e.status() == GrpcStatus.RESOURCE_EXHAUSTED
          ? new Refused()
          : new Failed(e.status().name(), e.getMessage());
    }
    return new Failed("TRANSPORT", String.valueOf(error));
  }
}
