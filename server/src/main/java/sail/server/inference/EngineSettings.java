package sail.server.inference;

/**
 * Tuning of the serving engine.
 *
 * @param maxBatch most sequences decoded together (all versions combined)
 * @param queueCapacity requests waiting for a slot before new ones are refused
 * @param intraOpThreads native threads per operation on the engine thread
 * @param retryAfterSeconds hint returned with an overload refusal
 */
public record EngineSettings(
    int maxBatch, int queueCapacity, int intraOpThreads, int retryAfterSeconds) {
  public EngineSettings {
    if (maxBatch < 1 || queueCapacity < 0 || intraOpThreads < 1 || retryAfterSeconds < 0) {
      throw new IllegalArgumentException(
          "engine settings: maxBatch and intraOpThreads must be >= 1, queueCapacity and"
              + " retryAfterSeconds >= 0");
    }
  }

  public static EngineSettings defaults() {
    return new EngineSettings(16, 64, 1, 1);
  }
}
