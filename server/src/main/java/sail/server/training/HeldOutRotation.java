package sail.server.training;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import sail.server.training.mixture.FeedbackPair;

/**
 * The people's held-out pairs that the accuracy guard measures on at each publish attempt: the most
 * recent ones, but turned over at most {@code turnover} pairs per attempt.
 *
 * <p>Why: the guard ranks the same pairs under the candidate, the served version and the reference
 * ({@link HeldOutLogProbs}); the last two keep their scores between attempts, so only pairs new to
 * the set cost them a forward pass. Taking the 64 most recent pairs afresh at every attempt
 * replaced most of the set each time in the demo (the new pairs' scoring under the served version
 * and the reference took 1.85 s of a 3.26 s held-out check on average in run 89; 0.9-1.1 s since,
 * docs/benchmarks.md). A label stays a valid measure for a few more publishes — people's taste does
 * not move with the model — so the set now admits at most {@code turnover} new pairs per attempt
 * once it is full, each source (choices, 👍-vs-👎) its share, and drops the oldest of that source
 * to stay within its share; while a source's share is not full, its new pairs fill it.
 *
 * <p>Not thread-safe: the trainer's thread owns it.
 */
final class HeldOutRotation {
  private final int limit;
  private final int turnover;
  private List<FeedbackPair> current = List.of();

  /**
   * @param limit pairs measured on, at most
   * @param turnover new pairs admitted per attempt, at most (at least 1)
   */
  HeldOutRotation(int limit, int turnover) {
    if (limit < 1 || turnover < 1) {
      throw new IllegalArgumentException(
          "limit and turnover must be >= 1, got " + limit + " and " + turnover);
    }
    this.limit = limit;
    this.turnover = turnover;
  }

  /**
   * The set for this attempt.
   *
   * @param recent the most recent held-out pairs, at most {@code limit}, shared among the sources
   *     ({@link sail.server.training.mixture.HeldOutSplit#mostRecent})
   */
  List<FeedbackPair> next(List<FeedbackPair> recent) {
    Map<String, List<FeedbackPair>> kept = bySource(current);
    Map<String, List<FeedbackPair>> offered = bySource(recent);
    for (String source : offered.keySet()) {
      kept.computeIfAbsent(source, k -> new ArrayList<>());
    }
    int share = Math.max(1, limit / Math.max(1, kept.size()));
    int admit = Math.max(1, turnover / Math.max(1, kept.size()));
    List<FeedbackPair> next = new ArrayList<>();
    for (Map.Entry<String, List<FeedbackPair>> entry : kept.entrySet()) {
      List<FeedbackPair> own = entry.getValue();
      Set<Long> ids = new HashSet<>();
      own.forEach(pair -> ids.add(pair.id()));
      List<FeedbackPair> fresh = new ArrayList<>();
      for (FeedbackPair pair : offered.getOrDefault(entry.getKey(), List.of())) {
        if (!ids.contains(pair.id())) {
          fresh.add(pair);
        }
      }
      // the newest of the new, then the newest of all (ids increase within a source); a share
      // not yet full takes as many more as fill it
      fresh.sort(Comparator.comparingLong(FeedbackPair::id));
      int admitted = Math.max(0, share - own.size()) + admit;
      own.addAll(fresh.subList(Math.max(0, fresh.size() - admitted), fresh.size()));
      own.sort(Comparator.comparingLong(FeedbackPair::id));
      next.addAll(own.subList(Math.max(0, own.size() - share), own.size()));
    }
    current =
        List.copyOf(next.size() > limit ? next.subList(next.size() - limit, next.size()) : next);
    return current;
  }

  private static Map<String, List<FeedbackPair>> bySource(List<FeedbackPair> pairs) {
    Map<String, List<FeedbackPair>> out = new LinkedHashMap<>();
    for (FeedbackPair pair : pairs) {
      out.computeIfAbsent(pair.source(), k -> new ArrayList<>()).add(pair);
    }
    return out;
  }
}
