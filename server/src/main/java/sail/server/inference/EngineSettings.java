package sail.server.inference;

/**
 * Tuning of the serving engine.
 *
 * @param maxBatch most sequences decoded together (all versions and lanes combined)
 * @param queueCapacity requests waiting for a slot before new ones are refused (all lanes)
 * @param intraOpThreads native threads per operation on each lane's thread
 * @param retryAfterSeconds hint returned with an overload refusal
 * @param lanes engine threads, each decoding its own share of the slots (see {@link
 *     InferenceEngine})
 */
public record EngineSettings(
    int maxBatch, int queueCapacity, int intraOpThreads, int retryAfterSeconds, int lanes) {
  public EngineSettings {
    if (maxBatch < 1
        || queueCapacity < 0
        || intraOpThreads < 1
        || retryAfterSeconds < 0
        || lanes < 1) {
      throw new IllegalArgumentException(
          "engine settings: maxBatch, intraOpThreads and lanes must be >= 1, queueCapacity and"
              + " retryAfterSeconds >= 0");
    }
  }

  /** One lane. */
  public EngineSettings(
      int maxBatch, int queueCapacity, int intraOpThreads, int retryAfterSeconds) {
    this(maxBatch, queueCapacity, intraOpThreads, retryAfterSeconds, 1);
  }

  public static EngineSettings defaults() {
    return new EngineSettings(16, 64, 1, 1, 1);
  }

  /**
   * Lane {@code index}'s share of {@code lanes} lanes: the slots and the queue split as evenly as
   * they go (the first lanes take the remainders). No more lanes than slots.
   */
  EngineSettings lane(int index, int lanes) {
    return new EngineSettings(
        share(maxBatch, index, lanes),
        share(queueCapacity, index, lanes),
        intraOpThreads,
        retryAfterSeconds,
        1);
  }

  /** Lanes actually run: at most one per slot. */
  int effectiveLanes() {
    return Math.min(lanes, maxBatch);
  }

  private static int share(int total, int index, int parts) {
    return total / parts + (index < total % parts ? 1 : 0);
  }
}
