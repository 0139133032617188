package sail.server.api;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded ring buffer of the most recent values, each numbered in the order added, so a poller
 * can ask only for what it has not seen yet. Histories that share one counter number their values
 * in one sequence, so one "after" serves them all. The oldest value is dropped when full, so memory
 * stays constant however long the server runs. Thread-safe: one writer (a timer) and readers on
 * other event loops.
 *
 * @param <T> an immutable value
 */
final class RecentHistory<T> {
  /** A value and its number; numbers increase in the order values are added. */
  record Entry<T>(long seq, T value) {}

  private final int capacity;
  private final ArrayDeque<Entry<T>> entries;
  private final AtomicLong numbers;

  /**
   * @param numbers the counter that numbers added values (its next value, so start it at 0)
   */
  RecentHistory(int capacity, AtomicLong numbers) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    this.numbers = numbers;
    this.entries = new ArrayDeque<>(capacity);
  }

  int capacity() {
    return capacity;
  }

  /** Appends {@code value}, dropping the oldest entry when full; returns its number. */
  synchronized long add(T value) {
    if (entries.size() == capacity) {
      entries.removeFirst();
    }
    long seq = numbers.incrementAndGet();
    entries.addLast(new Entry<>(seq, value));
    return seq;
  }

  /** The entries still held whose number is above {@code seq}, oldest first. */
  synchronized List<Entry<T>> after(long seq) {
    List<Entry<T>> out = new ArrayList<>();
    for (Entry<T> entry : entries) {
      if (entry.seq() > seq) {
        out.add(entry);
      }
    }
    return out;
  }
}
