package sail.server.training.mixture;

import java.util.ArrayDeque;
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
 * (sail-objective.md, end of section 3).
 *
 * <p>The window is a function of the log and the cursors alone: {@link #restore} re-reads the log
 * up to the saved cursors and so rebuilds the same window a checkpointed run had. Not thread-safe:
 * the training thread owns it.
 */
public final class FeedbackPool {
  /** Pairs read per call to a source. */
  private static final int FETCH = 64;

  /**
   * Pairs read from the sources per refresh at most, so that one step never stalls on a backlog.
   */
  private static final int MAX_PER_REFRESH = 4096;

  private final List<FeedbackPairs> sources;
  private final int capacity;
  private final long[] cursors;
  private final List<ArrayDeque<FeedbackPair>> windows = new ArrayList<>();

  /**
   * @param sources logged pair streams, each read in its own id order (e.g. pairwise choices and
   *     👍-vs-👎 pairs)
   * @param capacity pairs kept per source
   */
  public FeedbackPool(List<FeedbackPairs> sources, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.sources = List.copyOf(sources);
    this.capacity = capacity;
    this.cursors = new long[sources.size()];
    for (int i = 0; i < sources.size(); i++) {
      windows.add(new ArrayDeque<>(capacity));
    }
  }

  /** Reads what the sources logged since the last refresh into the window. */
  public void refresh() {
    for (int i = 0; i < sources.size(); i++) {
      int read = 0;
      while (read < MAX_PER_REFRESH) {
        List<FeedbackPair> batch = sources.get(i).after(cursors[i], FETCH);
        if (batch.isEmpty()) {
          break;
        }
        for (FeedbackPair pair : batch) {
          keep(i, pair);
        }
        read += batch.size();
      }
    }
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
    for (ArrayDeque<FeedbackPair> window : windows) {
      for (FeedbackPair pair : window) {
        if (bound.admits(pair, currentVersion)) {
          admitted.add(pair);
        }
      }
    }
    return admitted;
  }

  /** Pairs in the window, admitted or not. */
  public int size() {
    return windows.stream().mapToInt(ArrayDeque::size).sum();
  }

  /** The last id read from each source, in source order (for a checkpoint). */
  public List<Long> cursors() {
    List<Long> out = new ArrayList<>(cursors.length);
    for (long cursor : cursors) {
      out.add(cursor);
    }
    return out;
  }

  /** Rebuilds the window a pool had at {@code saved} cursors, by re-reading the sources. */
  public void restore(List<Long> saved) {
    if (saved.size() != sources.size()) {
      throw new IllegalArgumentException(
          "saved feedback cursors " + saved + " do not match " + sources.size() + " sources");
    }
    for (int i = 0; i < sources.size(); i++) {
      windows.get(i).clear();
      cursors[i] = 0;
      long target = saved.get(i);
      boolean done = target == 0;
      while (!done) {
        List<FeedbackPair> batch = sources.get(i).after(cursors[i], FETCH);
        done = batch.isEmpty();
        for (FeedbackPair pair : batch) {
          if (pair.id() > target) {
            done = true;
            break;
          }
          keep(i, pair);
        }
        done |= cursors[i] >= target;
      }
      cursors[i] = target;
    }
  }

  private void keep(int source, FeedbackPair pair) {
    ArrayDeque<FeedbackPair> window = windows.get(source);
    if (window.size() == capacity) {
      window.removeFirst();
    }
    window.addLast(pair);
    cursors[source] = pair.id();
  }
}
