package sail.server.training.mixture;

/**
 * How old logged replies may be and still train the current policy. Term A of the objective assumes
 * the replies were sampled from π_θ itself; replies from an older version only approximate that, so
 * the lag in published versions is bounded (sail-objective.md, end of section 3).
 *
 * @param maxVersionLag the most versions a reply's generator may trail the current policy; 0 admits
 *     only replies of the current version
 */
public record StalenessBound(long maxVersionLag) {
  /** A default that tolerates a few publishes between a reply and its label. */
  public static final StalenessBound DEFAULT = new StalenessBound(4);

  public StalenessBound {
    if (maxVersionLag < 0) {
      throw new IllegalArgumentException("maxVersionLag must be >= 0, got " + maxVersionLag);
    }
  }

  /** Versions by which {@code pair} trails {@code currentVersion} (0 if it is newer). */
  public static long lag(FeedbackPair pair, long currentVersion) {
    return Math.max(0, currentVersion - pair.modelVersion());
  }

  public boolean admits(FeedbackPair pair, long currentVersion) {
    return lag(pair, currentVersion) <= maxVersionLag;
  }
}
