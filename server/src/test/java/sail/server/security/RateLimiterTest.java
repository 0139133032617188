package sail.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  static final long SECOND = 1_000_000_000L;

  @Test
  void burstThenRefillAtTheRate() {
    AtomicLong now = new AtomicLong(5 * SECOND);
    RateLimiter limiter = new RateLimiter(2, 3, now::get); // 2/s, burst 3
    assertEquals(0, limiter.acquire("a"));
    assertEquals(0, limiter.acquire("a"));
    assertEquals(0, limiter.acquire("a"));
    // empty: the next token comes in 0.5 s, rounded up to whole seconds for Retry-After
    assertEquals(1, limiter.acquire("a"));
    // another caller has its own bucket
    assertEquals(0, limiter.acquire("b"));

    now.addAndGet(SECOND / 2);
    assertEquals(0, limiter.acquire("a"));
    assertEquals(1, limiter.acquire("a"));

    // idle for a long time: back to the burst, not more
    now.addAndGet(100 * SECOND);
    for (int i = 0; i < 3; i++) {
      assertEquals(0, limiter.acquire("a"));
    }
    assertEquals(1, limiter.acquire("a"));
  }

  @Test
  void slowRatesAskForLongerWaits() {
    AtomicLong now = new AtomicLong();
    RateLimiter limiter = new RateLimiter(0.1, 1, now::get); // one request per 10 s
    assertEquals(0, limiter.acquire("k"));
    assertEquals(10, limiter.acquire("k"));
    now.addAndGet(4 * SECOND);
    assertEquals(6, limiter.acquire("k"));
    now.addAndGet(6 * SECOND);
    assertEquals(0, limiter.acquire("k"));
  }

  @Test
  void bucketArithmetic() {
    TokenBucket bucket = new TokenBucket(4, 1, 0);
    assertEquals(0, bucket.tryTake(0));
    assertEquals(SECOND / 4, bucket.tryTake(0));
    assertEquals(SECOND / 8, bucket.tryTake(SECOND / 8));
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new RateLimiter(0, 1, System::nanoTime));
    assertThrows(IllegalArgumentException.class, () -> new RateLimiter(1, 0, System::nanoTime));
  }
}
