package sail.server.training.mixture;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A replay window over the human-labelled pairs of the traffic log: the most recent {@code
 * capacity} pairs of each source, from which DPR rows draw uniformly (with replacement) among those
 * the staleness bound still admits (the sampler keeps the most recent of those, {@link
 * #mostRecent}).
 *
 * <p>Why replay: people label far fewer pairs than a trainer consumes (a pair per few seconds
 * against 16 rows per step), so using each label once would leave most DPR rows without one; the
 * window keeps every recent label in play until it is too old for term A's on-policy assumption
 * (sail-objective.md, end of section 3). It is rebuilt exactly on resume (see {@link
 * ReplayWindow}). Not thread-safe: the training thread owns it.
 */
public final class FeedbackPool {
  private final ReplayWindow<FeedbackPair> window;
  private final HeldOutSplit split;

  /**
   * @param sources logged pair streams, each read in its own id order (e.g. pairwise choices and
   *     👍-vs-👎 pairs)
   * @param capacity pairs kept per source
   * @param split the pairs kept out of training, for the held-out accuracy guard
   */
  public FeedbackPool(List<FeedbackPairs> sources, int capacity, HeldOutSplit split) {
    this.window = new ReplayWindow<>(sources, FeedbackPair::id, capacity);
    this.split = split;
  }

  /** Reads what the sources logged since the last refresh into the window. */
  public void refresh() {
    window.refresh();
  }

  /**
   * Draws one of {@code admitted} uniformly (with replacement), or null when it is empty. Always
   * consumes exactly one draw of {@code random}, so later draws do not depend on what the log held.
   */
  public static FeedbackPair draw(RandomGenerator random, List<FeedbackPair> admitted) {
    double u = random.nextDouble();
    return admitted.isEmpty() ? null : admitted.get((int) (u * admitted.size()));
  }

  /** Training pairs in the window that the bound admits, in source then id order. */
  public List<FeedbackPair> admitted(long currentVersion, StalenessBound bound) {
    List<FeedbackPair> admitted = new ArrayList<>();
    for (FeedbackPair pair : window.labels()) {
      if (!isHeldOut(pair) && bound.admits(pair, currentVersion)) {
        admitted.add(pair);
      }
    }
    return admitted;
  }

  /**
   * The most recent held-out pairs in the window, at most {@code limit} in all, shared evenly among
   * the sources; never trained on. The staleness bound does not apply: a measurement of how well a
   * policy ranks what people preferred may use older labels.
   */
  public List<FeedbackPair> heldOut(int limit) {
    Map<String, List<FeedbackPair>> bySource = new LinkedHashMap<>();
    for (FeedbackPair pair : window.labels()) {
      if (isHeldOut(pair)) {
        bySource.computeIfAbsent(pair.source(), k -> new ArrayList<>()).add(pair);
      }
    }
    return HeldOutSplit.mostRecent(bySource, limit);
  }

  /**
   * The {@code limit} most recently labelled of {@code pairs} (ties: the later in the list), in the
   * list's order; all of them when there are no more than {@code limit}.
   */
  public static List<FeedbackPair> mostRecent(List<FeedbackPair> pairs, int limit) {
    if (pairs.size() <= limit) {
      return pairs;
    }
    Integer[] order = new Integer[pairs.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(
        order,
        Comparator.<Integer, Instant>comparing(i -> pairs.get(i).createdAt())
            .thenComparing(i -> i)
            .reversed());
    boolean[] kept = new boolean[pairs.size()];
    for (int k = 0; k < limit; k++) {
      kept[order[k]] = true;
    }
    List<FeedbackPair> recent = new ArrayList<>(limit);
    for (int i = 0; i < pairs.size(); i++) {
      if (kept[i]) {
        recent.add(pairs.get(i));
      }
    }
    return recent;
  }

  private boolean isHeldOut(FeedbackPair pair) {
    return split.holdsOut(pair.source(), pair.id());
  }

  /** Pairs in the window, admitted or not, held out or not. */
  public int size() {
    return window.size();
  }

  /** Pairs in the window that are not held out, admitted or not. */
  public int trainingPairs() {
    int n = 0;
    for (FeedbackPair pair : window.labels()) {
      if (!isHeldOut(pair)) {
        n++;
      }
    }
    return n;
  }

  /** The last id read from each source, in source order (for a checkpoint). */
  public List<Long> cursors() {
    return window.cursors();
  }

  /** Rebuilds the window a pool had at {@code saved} cursors, by re-reading the sources. */
  public void restore(List<Long> saved) {
    window.restore(saved);
  }
}
