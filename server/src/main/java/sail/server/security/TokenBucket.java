package sail.server.security;

/**
 * A token bucket: holds at most {@code burst} tokens, refills at {@code perSecond}, and each
 * request takes one. Time is passed in (nanoseconds from any fixed origin) so the arithmetic is
 * testable without sleeping. Thread-safe.
 */
final class TokenBucket {
  private final double perNano;
  private final double burst;
  private double tokens;
  private long updatedNanos;

  TokenBucket(double perSecond, int burst, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.updatedNanos = nowNanos;
  }

  /**
   * Takes one token if there is one.
   *
   * @return 0 if a token was taken, otherwise the nanoseconds until one will be available
   */
  synchronized long tryTake(long nowNanos) {
    refill(nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
  }

  /** Whether the bucket is full, i.e. its owner has been idle long enough to forget it. */
  synchronized boolean isFull(long nowNanos) {
    refill(nowNanos);
    return tokens >= burst;
  }

  private void refill(long nowNanos) {
    long elapsed = Math.max(0, nowNanos - updatedNanos);
    tokens = Math.min(burst, tokens + elapsed * perNano);
    updatedNanos = nowNanos;
  }
}
