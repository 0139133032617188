package sail.server.training;

import java.util.List;
import sail.server.data.GenerationRecord;
import sail.server.data.PreferencePair;
import sail.server.data.TrafficLog;
import sail.server.training.mixture.FeedbackPair;
import sail.server.training.mixture.FeedbackPairs;

/**
 * The traffic log's human labels as training pairs (sail-objective.md, end of section 3): pairwise
 * choices, and a 👍 reply against a 👎 reply to the same prompt. Only single-turn prompts are used:
 * the trainer lays every prompt out as one user message (see {@link ChatEncoding}).
 */
public final class LoggedPreferences implements FeedbackPairs {
  private final LogLabels<PreferencePair, FeedbackPair> labels;

  private LoggedPreferences(LogLabels<PreferencePair, FeedbackPair> labels) {
    this.labels = labels;
  }

  /** Both label streams of {@code log}: pairwise choices, then 👍-vs-👎 pairs. */
  public static List<FeedbackPairs> of(TrafficLog log) {
    return List.of(choices(log), ratings(log));
  }

  /** Pairwise choices, keyed by the preference seq. */
  public static LoggedPreferences choices(TrafficLog log) {
    return new LoggedPreferences(
        new LogLabels<>(log::preferencePairs, PreferencePair::seq, label -> pair("choice", label)));
  }

  /** 👍-vs-👎 replies to the same prompt, keyed by the seq of the later rating. */
  public static LoggedPreferences ratings(TrafficLog log) {
    return new LoggedPreferences(
        new LogLabels<>(log::ratingPairs, PreferencePair::seq, label -> pair("rating", label)));
  }

  @Override
  public List<FeedbackPair> after(long afterId, int limit) {
    return labels.after(afterId, limit);
  }

  private static FeedbackPair pair(String source, PreferencePair label) {
    String prompt = LogLabels.singleUserTurn(label.chosen().prompt());
    if (prompt == null) {
      return null;
    }
    return new FeedbackPair(
        source,
        label.seq(),
        prompt,
        label.chosen().response(),
        label.rejected().response(),
        Math.min(label.chosen().modelVersion(), label.rejected().modelVersion()),
        label.createdAt(),
        endedItsTurn(label.chosen()),
        endedItsTurn(label.rejected()));
  }

  /**
   * Whether the model ended this reply itself (finish reason {@code stop}); a reply cut off by
   * {@code max_tokens} ({@code length}) is trained on without an end-of-turn token.
   */
  static boolean endedItsTurn(GenerationRecord reply) {
    return "stop".equals(reply.finishReason());
  }
}
