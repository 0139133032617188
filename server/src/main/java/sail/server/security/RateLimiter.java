package sail.server.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One {@link TokenBucket} per principal id (per key, or per client address without keys). Buckets
 * of idle callers are dropped once there are many, so clients that come and go cannot grow the map
 * without bound.
 */
public final class RateLimiter {
  /** Above this many buckets, full (idle) ones are removed. */
  static final int PRUNE_ABOVE = 10_000;

  private final double perSecond;
  private final int burst;
  private final LongSupplier clock;
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  /**
   * @param perSecond sustained requests per second per principal; must be positive
   * @param burst requests a principal may make at once after being idle; at least 1
   * @param clock nanosecond clock, {@link System#nanoTime} outside tests
   */
  public RateLimiter(double perSecond, int burst, LongSupplier clock) {
    if (!(perSecond > 0) || burst < 1) {
      throw new IllegalArgumentException(
          "rate limit needs perSecond > 0 and burst >= 1, got " + perSecond + ", " + burst);
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.clock = clock;
  }

  /**
   * Counts one request of {@code id}.
   *
   * @return 0 if allowed, otherwise whole seconds to wait before the next request may pass (at
   *     least 1, for a {@code Retry-After} header)
   */
  public int acquire(String id) {
    long now = clock.getAsLong();
    if (buckets.size() > PRUNE_ABOVE) {
      buckets.values().removeIf(bucket -> bucket.isFull(now));
    }
    long waitNanos =
        buckets.computeIfAbsent(id, ignored -> new TokenBucket(perSecond, burst, now)).tryTake(now);
    return waitNanos == 0 ? 0 : (int) Math.max(1, Math.ceil(waitNanos / 1e9));
  }
}
