package sail.server.training;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import sail.server.data.PreferencePair;
import sail.server.data.TrafficLog;
import sail.server.data.Turn;
import sail.server.training.mixture.FeedbackPair;
import sail.server.training.mixture.FeedbackPairs;

/**
 * The traffic log's human labels as training pairs (sail-objective.md, end of section 3): pairwise
 * choices, and a 👍 reply against a 👎 reply to the same prompt. Only single-turn prompts are used:
 * the trainer lays every prompt out as one user message (see {@link ChatEncoding}).
 */
public final class LoggedPreferences implements FeedbackPairs {
  private final String source;
  private final BiFunction<Long, Integer, List<PreferencePair>> stream;

  private LoggedPreferences(String source, BiFunction<Long, Integer, List<PreferencePair>> stream) {
    this.source = source;
    this.stream = stream;
  }

  /** Both label streams of {@code log}: pairwise choices, then 👍-vs-👎 pairs. */
  public static List<FeedbackPairs> of(TrafficLog log) {
    return List.of(choices(log), ratings(log));
  }

  /** Pairwise choices, keyed by the preference seq. */
  public static LoggedPreferences choices(TrafficLog log) {
    return new LoggedPreferences("choice", log::preferencePairs);
  }

  /** 👍-vs-👎 replies to the same prompt, keyed by the seq of the later rating. */
  public static LoggedPreferences ratings(TrafficLog log) {
    return new LoggedPreferences("rating", log::ratingPairs);
  }

  /**
   * {@inheritDoc} Multi-turn labels are skipped; a batch of only those is read past, so a reader
   * never stalls on them.
   */
  @Override
  public List<FeedbackPair> after(long afterId, int limit) {
    List<FeedbackPair> pairs = new ArrayList<>();
    long cursor = afterId;
    while (pairs.isEmpty()) {
      List<PreferencePair> logged = stream.apply(cursor, limit);
      if (logged.isEmpty()) {
        break;
      }
      for (PreferencePair label : logged) {
        cursor = label.seq();
        List<Turn> prompt = label.chosen().prompt();
        if (prompt.size() == 1 && "user".equalsIgnoreCase(prompt.get(0).role())) {
          pairs.add(
              new FeedbackPair(
                  source,
                  label.seq(),
                  prompt.get(0).content(),
                  label.chosen().response(),
                  label.rejected().response(),
                  Math.min(label.chosen().modelVersion(), label.rejected().modelVersion()),
                  label.createdAt()));
        }
      }
    }
    return pairs;
  }
}
