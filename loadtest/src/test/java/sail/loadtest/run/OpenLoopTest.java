package sail.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sail.loadtest.stats.Outcome;
import sail.loadtest.stats.RunStats;
import sail.loadtest.users.VirtualUser;

/** The open loop's arrival schedule with scripted users and no server. */
class OpenLoopTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  static VirtualUser taking(long millis) {
    return () -> {
      Promise<Outcome> done = Promise.promise();
      vertx.setTimer(millis, t -> done.complete(new Outcome.Success(millis * 1_000_000, 0, 1, 0)));
      return done.future();
    };
  }

  @Test
  void arrivalsFollowTheRateWhateverTheRepliesTake() {
    // 100 arrivals/s for 2 s, replies of 50 ms: about 5 in flight, none skipped
    OpenLoop.OpenLoopResult r =
        new OpenLoop(vertx, Duration.ofSeconds(2), Duration.ofSeconds(5), 100, 1000, 3)
            .run(List.of(taking(50), taking(50)), new RunStats(Duration.ofSeconds(1)))
            .await();
    // Poisson count of mean 200: four standard deviations
    assertEquals(200, r.arrivals(), 4 * Math.sqrt(200));
    assertEquals(0, r.skipped());
    assertEquals(r.arrivals(), r.run().stats().succeeded());
    assertEquals(0, r.run().unfinished());
  }

  @Test
  void arrivalsOverTheInFlightCapAreSkippedNotSent() {
    // replies take longer than the run: only the cap's worth are ever sent
    OpenLoop.OpenLoopResult r =
        new OpenLoop(vertx, Duration.ofMillis(500), Duration.ofSeconds(5), 200, 3, 4)
            .run(List.of(taking(1500)), new RunStats(Duration.ofSeconds(1)))
            .await();
    assertTrue(r.arrivals() > 20, "arrivals " + r.arrivals());
    assertEquals(r.arrivals() - 3, r.skipped());
    assertEquals(3, r.run().stats().succeeded());
  }
}
