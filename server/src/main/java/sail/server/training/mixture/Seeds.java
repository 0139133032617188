package sail.server.training.mixture;

/** Derives independent seeds from a run seed and a counter, so no random state must be saved. */
public final class Seeds {
  private Seeds() {}

  /**
   * A well-mixed seed for item {@code index} of stream {@code seed} (SplitMix64's finaliser over
   * both). Plain {@code seed + index} would give {@link java.util.SplittableRandom}s whose streams
   * are shifted copies of each other.
   */
  public static long mix(long seed, long index) {
    return finalise(finalise(seed) ^ (index * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L));
  }

  private static long finalise(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
