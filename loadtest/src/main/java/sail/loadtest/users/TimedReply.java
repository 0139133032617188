package sail.loadtest.users;

import io.vertx.core.Future;
import java.util.List;
import sail.client.SailClient;
import sail.loadtest.stats.Outcome;
import sail.v1.Completion;
import sail.v1.GenerateRequest;

/**
 * A reply with the client-side times of its request.
 *
 * @param completions the candidates
 * @param latencyNanos request sent to last byte of the reply
 * @param ttftNanos request sent to the first streamed text (the latency for unary calls)
 */
public record TimedReply(List<Completion> completions, long latencyNanos, long ttftNanos) {

  /** Sends {@code request} unary or streamed and times it. Fails as the call fails. */
  public static Future<TimedReply> send(
      SailClient client, GenerateRequest request, boolean stream) {
    long start = System.nanoTime();
    if (stream) {
      long[] firstChunk = {-1};
      return client
          .generateStream(
              request,
              chunk -> {
                if (firstChunk[0] < 0) {
                  firstChunk[0] = System.nanoTime();
                }
              })
          .map(
              completions -> {
                long end = System.nanoTime();
                long first = firstChunk[0] < 0 ? end : firstChunk[0];
                return new TimedReply(completions, end - start, first - start);
              });
    }
    return client
        .generate(request)
        .map(
            response -> {
              long latency = System.nanoTime() - start;
              return new TimedReply(response.getCompletionsList(), latency, latency);
            });
  }

  /** The outcome of this reply, scored {@code hiddenScore} (NaN when not judged). */
  public Outcome.Success outcome(double hiddenScore) {
    int tokens = 0;
    for (Completion c : completions) {
      tokens += c.getCompletionTokens();
    }
    long version = completions.isEmpty() ? 0 : completions.get(0).getModelVersion();
    return new Outcome.Success(latencyNanos, ttftNanos, tokens, version, hiddenScore);
  }
}
