package sail.loadtest.run;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import sail.loadtest.stats.Outcome;
import sail.loadtest.stats.RunStats;
import sail.loadtest.users.VirtualUser;

/**
 * Open-loop load: interactions start at a target rate (Poisson arrivals, seeded) whether or not
 * earlier ones have finished, as independent users arrive at a real service. Each arrival is handed
 * to the next virtual user in turn. A client-side cap on interactions in flight keeps a stalled
 * server from growing the client without bound; arrivals over the cap are counted as {@code
 * skipped}, not sent.
 *
 * <p>All arrivals run on one Vert.x context, so the loop's own state needs no locks.
 */
public final class OpenLoop {
  private final Vertx vertx;
  private final Duration duration;
  private final Duration drainTimeout;
  private final double ratePerSecond;
  private final int maxInFlight;
  private final long seed;

  /**
   * @param ratePerSecond mean arrivals per second, &gt; 0
   * @param maxInFlight interactions in flight at most; arrivals beyond are skipped
   */
  public OpenLoop(
      Vertx vertx,
      Duration duration,
      Duration drainTimeout,
      double ratePerSecond,
      int maxInFlight,
      long seed) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be a positive number, got " + ratePerSecond);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("max in flight must be >= 1, got " + maxInFlight);
    }
    this.vertx = vertx;
    this.duration = duration;
    this.drainTimeout = drainTimeout;
    this.ratePerSecond = ratePerSecond;
    this.maxInFlight = maxInFlight;
    this.seed = seed;
  }

  /** Runs the arrivals over {@code users} and records every counted outcome into {@code stats}. */
  public Future<OpenLoopResult> run(List<VirtualUser> users, RunStats stats) {
    if (users.isEmpty()) {
      throw new IllegalArgumentException("an open loop needs at least one user");
    }
    Context context = vertx.getOrCreateContext();
    Promise<OpenLoopResult> done = Promise.promise();
    context.runOnContext(v -> new Run(users, stats, done).start());
    return done.future();
  }

  /**
   * A finished open-loop run.
   *
   * @param run outcomes, elapsed time and unfinished interactions
   * @param arrivals interactions the schedule asked for
   * @param skipped arrivals not sent because {@code maxInFlight} were already in flight
   */
  public record OpenLoopResult(RunResult run, long arrivals, long skipped) {}

  private final class Run {
    final List<VirtualUser> users;
    final RunStats stats;
    final Promise<OpenLoopResult> done;
    final SplittableRandom random = new SplittableRandom(seed);
    long startNanos;
    long endNanos;
    long lastFinishNanos;
    long nextArrivalNanos;
    long arrivals;
    long skipped;
    int inFlight;
    int nextUser;
    long drainTimer = -1;
    boolean scheduling = true;
    boolean over;

    Run(List<VirtualUser> users, RunStats stats, Promise<OpenLoopResult> done) {
      this.users = users;
      this.stats = stats;
      this.done = done;
    }

    void start() {
      startNanos = System.nanoTime();
      endNanos = startNanos + duration.toNanos();
      lastFinishNanos = startNanos;
      nextArrivalNanos = startNanos;
      drainTimer =
          vertx.setTimer(Math.max(1, duration.plus(drainTimeout).toMillis()), t -> finish());
      arrive();
    }

    /** Starts every arrival that is due, then sleeps until the next one. */
    void arrive() {
      if (over) {
        return;
      }
      long now = System.nanoTime();
      while (nextArrivalNanos <= now && nextArrivalNanos < endNanos) {
        arrivals++;
        if (inFlight >= maxInFlight) {
          skipped++;
        } else {
          send(users.get(nextUser));
          nextUser = (nextUser + 1) % users.size();
        }
        // exponential gaps: a Poisson process of the target rate
        double gapSeconds = -Math.log(1 - random.nextDouble()) / ratePerSecond;
        nextArrivalNanos += (long) (gapSeconds * 1e9);
      }
      if (nextArrivalNanos >= endNanos) {
        scheduling = false;
        if (inFlight == 0) {
          finish();
        }
        return;
      }
      long waitMillis = Math.max(1, (nextArrivalNanos - System.nanoTime()) / 1_000_000);
      vertx.setTimer(waitMillis, t -> arrive());
    }

    void send(VirtualUser user) {
      inFlight++;
      user.act()
          .onComplete(
              ar -> {
                inFlight--;
                if (over) {
                  return;
                }
                long now = System.nanoTime();
                Outcome outcome = ar.succeeded() ? ar.result() : Outcome.ofError(ar.cause());
                stats.record(now - startNanos, outcome);
                lastFinishNanos = Math.max(lastFinishNanos, now);
                if (!scheduling && inFlight == 0) {
                  finish();
                }
              });
    }

    void finish() {
      if (over) {
        return;
      }
      over = true;
      vertx.cancelTimer(drainTimer);
      long end = Math.max(lastFinishNanos, Math.min(endNanos, System.nanoTime()));
      RunResult result = new RunResult(stats, (end - startNanos) / 1e9, inFlight);
      done.complete(new OpenLoopResult(result, arrivals, skipped));
    }
  }
}
