package sail.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sail.loadtest.stats.Outcome;
import sail.loadtest.stats.RunStats;
import sail.loadtest.users.VirtualUser;

/** The closed loop's timing rules with scripted users and no server. */
class ClosedLoopTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /** A user whose every interaction takes {@code millis} and succeeds; remembers start times. */
  static final class TimedUser implements VirtualUser {
    final long millis;
    final List<Long> starts = new ArrayList<>();

    TimedUser(long millis) {
      this.millis = millis;
    }

    @Override
    public Future<Outcome> act() {
      starts.add(System.nanoTime());
      Promise<Outcome> done = Promise.promise();
      vertx.setTimer(
          millis,
          t -> done.complete(new Outcome.Success(millis * 1_000_000, millis * 1_000_000, 1, 1)));
      return done.future();
    }
  }

  @Test
  void honoursTheDurationAndStartsNothingAfterIt() {
    List<TimedUser> users = List.of(new TimedUser(30), new TimedUser(30), new TimedUser(30));
    long before = System.nanoTime();
    RunResult result =
        new ClosedLoop(vertx, Duration.ofMillis(600), Duration.ofSeconds(5), Duration.ZERO)
            .run(new ArrayList<>(users), new RunStats(Duration.ofSeconds(1)))
            .await();
    long end = before + 600_000_000L;
    assertTrue(result.elapsedSeconds() >= 0.6, "elapsed " + result.elapsedSeconds());
    assertTrue(result.elapsedSeconds() < 0.6 + 0.03 + 0.2, "elapsed " + result.elapsedSeconds());
    assertEquals(0, result.unfinished());
    long started = 0;
    for (TimedUser u : users) {
      started += u.starts.size();
      for (long t : u.starts) {
        assertTrue(t < end + 5_000_000L, "a request started after the end");
      }
    }
    // every started request finished and was counted; about 20 per user
    assertEquals(started, result.stats().succeeded());
    assertTrue(started >= 3 * 15, "only " + started + " requests");
  }

  @Test
  void requestsStillRunningAfterTheDrainTimeoutAreLeftOut() {
    RunResult result =
        new ClosedLoop(vertx, Duration.ofMillis(100), Duration.ofMillis(100), Duration.ZERO)
            .run(List.of(new TimedUser(5_000)), new RunStats(Duration.ofSeconds(1)))
            .await();
    assertEquals(1, result.unfinished());
    assertEquals(0, result.stats().succeeded());
    assertTrue(result.elapsedSeconds() < 1.0);
  }

  @Test
  void refusalsAreCountedApartAndBackedOff() {
    AtomicInteger calls = new AtomicInteger();
    AtomicLong last = new AtomicLong();
    VirtualUser refused =
        () -> {
          calls.incrementAndGet();
          last.set(System.nanoTime());
          return Future.succeededFuture(new Outcome.Refused());
        };
    RunResult result =
        new ClosedLoop(vertx, Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(50))
            .run(List.of(refused), new RunStats(Duration.ofSeconds(1)))
            .await();
    assertEquals(0, result.stats().errors());
    assertEquals(calls.get(), result.stats().refused());
    // one try per 50 ms backoff, not a tight loop
    assertTrue(calls.get() >= 5 && calls.get() <= 12, calls.get() + " tries");
  }
}
