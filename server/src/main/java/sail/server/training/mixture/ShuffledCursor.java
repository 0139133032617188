package sail.server.training.mixture;

import java.util.SplittableRandom;

/**
 * Walks the indices {@code 0..size-1} in a fresh seeded permutation per epoch. Its whole state is
 * its {@link Position}, so saving the position and restoring it into a cursor with the same seed
 * and size continues with exactly the same indices.
 */
public final class ShuffledCursor {
  /**
   * Where a cursor stands.
   *
   * @param epoch completed passes over the data
   * @param offset indices already taken in the current pass
   */
  public record Position(long epoch, int offset) {
    public static final Position START = new Position(0, 0);

    public Position {
      if (epoch < 0 || offset < 0) {
        throw new IllegalArgumentException("cursor position must not be negative: " + epoch);
      }
    }
  }

  private final long seed;
  private final int size;
  private long epoch;
  private int offset;
  private int[] order;

  public ShuffledCursor(long seed, int size) {
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, got " + size);
    }
    this.seed = seed;
    this.size = size;
    this.order = permutation(seed, 0, size);
  }

  /** The next index; moves to a new permutation after the last index of a pass. */
  public int next() {
    if (size == 0) {
      throw new IllegalStateException("cannot draw from an empty source");
    }
    if (offset == size) {
      epoch++;
      offset = 0;
      order = permutation(seed, epoch, size);
    }
    return order[offset++];
  }

  public Position position() {
    return new Position(epoch, offset);
  }

  /** Moves to {@code position}, as saved by {@link #position()} of a cursor of the same size. */
  public void restore(Position position) {
    if (position.offset() > size) {
      throw new IllegalArgumentException(
          "cursor offset " + position.offset() + " exceeds the source size " + size);
    }
    if (position.epoch() != epoch) {
      order = permutation(seed, position.epoch(), size);
    }
    epoch = position.epoch();
    offset = position.offset();
  }

  /** Fisher–Yates shuffle seeded by (seed, epoch). */
  private static int[] permutation(long seed, long epoch, int size) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(Seeds.mix(seed, epoch));
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }
}
