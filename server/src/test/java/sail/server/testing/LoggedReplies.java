package sail.server.testing;

import java.time.Instant;
import java.util.List;
import sail.server.data.GenerationRecord;
import sail.server.data.Sampling;
import sail.server.data.Turn;

/** Generation records to put in a test's traffic log; only the reply's text and ending vary. */
public final class LoggedReplies {
  private LoggedReplies() {}

  /** A reply of version 2 to a single user message that ended its turn ({@code stop}). */
  public static GenerationRecord reply(String id, String prompt, String reply) {
    return reply(id, List.of(new Turn("user", prompt)), reply);
  }

  /** A reply of version 2 to {@code prompt} that ended its turn ({@code stop}). */
  public static GenerationRecord reply(String id, List<Turn> prompt, String reply) {
    return reply(id, prompt, reply, "stop");
  }

  /**
   * A reply of version 2 to {@code prompt}.
   *
   * @param finishReason {@code stop} (the model ended its turn) or {@code length} (cut off)
   */
  public static GenerationRecord reply(
      String id, List<Turn> prompt, String reply, String finishReason) {
    return new GenerationRecord(
        id,
        Instant.ofEpochMilli(1_700_000_000_000L),
        prompt,
        reply,
        2,
        new Sampling(0.7, 0.9, 0, 64, List.of(), 1),
        5,
        7,
        -3.0,
        finishReason,
        "client");
  }
}
