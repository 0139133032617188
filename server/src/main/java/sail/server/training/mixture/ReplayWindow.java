package sail.server.training.mixture;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The most recent {@code capacity} labels of each of several {@link LabelStream}s, read forward
 * with one cursor per stream.
 *
 * <p>Why a window: people label far fewer items than a trainer consumes, so every recent label is
 * kept in play (replayed) instead of being used once. The window is a function of the streams and
 * the cursors alone: {@link #restore} re-reads the streams up to saved cursors and so rebuilds the
 * window a checkpointed run had. Not thread-safe: the training thread owns it.
 *
 * @param <T> the label type
 */
public final class ReplayWindow<T> {
  /** Labels read per call to a stream. */
  private static final int FETCH = 64;

  /** Labels read per stream per refresh at most, so that one step never stalls on a backlog. */
  private static final int MAX_PER_REFRESH = 4096;

  private final List<? extends LabelStream<T>> streams;
  private final ToLongFunction<T> idOf;
  private final int capacity;
  private final long[] cursors;
  private final List<ArrayDeque<T>> windows = new ArrayList<>();

  /**
   * @param streams label streams, each read in its own id order
   * @param idOf a label's id within its stream
   * @param capacity labels kept per stream
   */
  public ReplayWindow(
      List<? extends LabelStream<T>> streams, ToLongFunction<T> idOf, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
    }
    this.streams = List.copyOf(streams);
    this.idOf = idOf;
    this.capacity = capacity;
    this.cursors = new long[streams.size()];
    for (int i = 0; i < streams.size(); i++) {
      windows.add(new ArrayDeque<>(capacity));
    }
  }

  /** Reads what the streams logged since the last refresh into the window. */
  public void refresh() {
    for (int i = 0; i < streams.size(); i++) {
      int read = 0;
      while (read < MAX_PER_REFRESH) {
        List<T> batch = streams.get(i).after(cursors[i], FETCH);
        if (batch.isEmpty()) {
          break;
        }
        for (T label : batch) {
          keep(i, label);
        }
        read += batch.size();
      }
    }
  }

  /** Every label in the window, in stream then id order. */
  public List<T> labels() {
    List<T> all = new ArrayList<>(size());
    windows.forEach(all::addAll);
    return all;
  }

  /** Labels in the window. */
  public int size() {
    return windows.stream().mapToInt(ArrayDeque::size).sum();
  }

  /** The last id read from each stream, in stream order (for a checkpoint). */
  public List<Long> cursors() {
    List<Long> out = new ArrayList<>(cursors.length);
    for (long cursor : cursors) {
      out.add(cursor);
    }
    return out;
  }

  /** Rebuilds the window this one had at {@code saved} cursors, by re-reading the streams. */
  public void restore(List<Long> saved) {
    if (saved.size() != streams.size()) {
      throw new IllegalArgumentException(
          "saved cursors " + saved + " do not match " + streams.size() + " label streams");
    }
    for (int i = 0; i < streams.size(); i++) {
      windows.get(i).clear();
      cursors[i] = 0;
      long target = saved.get(i);
      boolean done = target == 0;
      while (!done) {
        List<T> batch = streams.get(i).after(cursors[i], FETCH);
        done = batch.isEmpty();
        for (T label : batch) {
          if (idOf.applyAsLong(label) > target) {
            done = true;
            break;
          }
          keep(i, label);
        }
        done |= cursors[i] >= target;
      }
      cursors[i] = target;
    }
  }

  private void keep(int stream, T label) {
    ArrayDeque<T> window = windows.get(stream);
    if (window.size() == capacity) {
      window.removeFirst();
    }
    window.addLast(label);
    cursors[stream] = idOf.applyAsLong(label);
  }
}
