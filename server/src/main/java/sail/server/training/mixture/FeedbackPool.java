package sail.server.training.mixture;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A replay window over the human-labelled pairs of the traffic log: the most recent {@code
 * capacity} pairs of each source, from which DPR rows draw uniformly (with replacement) among those
 * the staleness bound still admits.
 *
 * <p>Why replay: people label far fewer pairs than a trainer consumes (a pair per few seconds
 * against 16 rows per step), so using each label once would leave most DPR rows without one; the
 * window keeps every recent label in play until it is too old for term A's on-policy assumption
 * (sail-objective.md, end of section 3). It is rebuilt exactly on resume (see {@link
 * ReplayWindow}). Not thread-safe: the training thread owns it.
 */
public final class FeedbackPool {
  private final ReplayWindow<FeedbackPair> window;

  /**
   * @param sources logged pair streams, each read in its own id order (e.g. pairwise choices and
   *     👍-vs-👎 pairs)
   * @param capacity pairs kept per source
   */
  public FeedbackPool(List<FeedbackPairs> sources, int capacity) {
    this.window = new ReplayWindow<>(sources, FeedbackPair::id, capacity);
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

  /** Pairs in the window that the bound admits, in source then id order. */
  public List<FeedbackPair> admitted(long currentVersion, StalenessBound bound) {
    List<FeedbackPair> admitted = new ArrayList<>();
    for (FeedbackPair pair : window.labels()) {
      if (bound.admits(pair, currentVersion)) {
        admitted.add(pair);
      }
    }
    return admitted;
  }

  /** Pairs in the window, admitted or not. */
  public int size() {
    return window.size();
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
