package sail.server.training;

import java.util.ArrayList;
import java.util.List;
import sail.server.data.PreferencePair;
import sail.server.data.TrafficLog;
import sail.server.data.Turn;
import sail.server.training.mixture.FeedbackPair;
import sail.server.training.mixture.FeedbackPairs;

/**
 * The traffic log's pairwise choices as human-labelled training pairs. Only single-turn prompts are
 * used: the trainer lays every prompt out as one user message (see {@link ChatEncoding}).
 */
public final class LoggedPreferences implements FeedbackPairs {
  private final TrafficLog log;

  public LoggedPreferences(TrafficLog log) {
    this.log = log;
  }

  @Override
  public List<FeedbackPair> after(long afterId, int limit) {
    List<FeedbackPair> pairs = new ArrayList<>();
    for (PreferencePair logged : log.preferencePairs(afterId, limit)) {
      List<Turn> prompt = logged.chosen().prompt();
      if (prompt.size() != 1 || !"user".equalsIgnoreCase(prompt.get(0).role())) {
        continue;
      }
      pairs.add(
          new FeedbackPair(
              logged.seq(),
              prompt.get(0).content(),
              logged.chosen().response(),
              logged.rejected().response(),
              Math.min(logged.chosen().modelVersion(), logged.rejected().modelVersion()),
              logged.createdAt()));
    }
    return pairs;
  }
}
