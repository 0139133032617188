package sail.loadtest.run;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import sail.loadtest.stats.Outcome;
import sail.loadtest.stats.RunStats;
import sail.loadtest.users.VirtualUser;

/**
 * Closed-loop load: every virtual user starts its next interaction as soon as the previous one
 * ends, until the run's duration is over. Interactions started before the end are waited for (up to
 * the drain timeout) and counted; none is started after the end. After an overload refusal or an
 * error a user pauses for the backoff, so a refusing server is not hammered in a tight loop.
 *
 * <p>All users run on one Vert.x context, so the loop's own state needs no locks.
 */
public final class ClosedLoop {
  private final Vertx vertx;
  private final Duration duration;
  private final Duration drainTimeout;
  private final Duration backoff;

  public ClosedLoop(Vertx vertx, Duration duration, Duration drainTimeout, Duration backoff) {
    this.vertx = vertx;
    this.duration = duration;
    this.drainTimeout = drainTimeout;
    this.backoff = backoff;
  }

  /** Runs the users and records every counted outcome into {@code stats}. */
  public Future<RunResult> run(List<VirtualUser> users, RunStats stats) {
    Context context = vertx.getOrCreateContext();
    Promise<RunResult> done = Promise.promise();
    context.runOnContext(v -> new Run(context, users, stats, done).start());
    return done.future();
  }

  /** The state of one run; touched only on its context. */
  private final class Run {
    final Context context;
    final List<VirtualUser> users;
    final RunStats stats;
    final Promise<RunResult> done;
    long startNanos;
    long endNanos;
    long lastFinishNanos;
    long drainTimer = -1;
    int runningUsers;
    int inFlight;
    boolean over;

    Run(Context context, List<VirtualUser> users, RunStats stats, Promise<RunResult> done) {
      this.context = context;
      this.users = users;
      this.stats = stats;
      this.done = done;
    }

    void start() {
      startNanos = System.nanoTime();
      endNanos = startNanos + duration.toNanos();
      lastFinishNanos = startNanos;
      runningUsers = users.size();
      if (runningUsers == 0) {
        finish();
        return;
      }
      // whatever is still running when the drain timeout passes is left out of the report
      long untilDrained = Math.max(1, (duration.plus(drainTimeout)).toMillis());
      drainTimer = vertx.setTimer(untilDrained, t -> finish());
      users.forEach(this::next);
    }

    void next(VirtualUser user) {
      if (over) {
        return;
      }
      if (System.nanoTime() >= endNanos) {
        userStopped();
        return;
      }
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
                if (outcome instanceof Outcome.Success || backoff.isZero()) {
                  // through the context, so a user whose calls complete at once cannot recurse
                  context.runOnContext(v -> next(user));
                } else {
                  vertx.setTimer(backoff.toMillis(), t -> next(user));
                }
              });
    }

    void userStopped() {
      if (--runningUsers == 0) {
        finish();
      }
    }

    void finish() {
      if (over) {
        return;
      }
      over = true;
      vertx.cancelTimer(drainTimer);
      // a run that ended on time lasted until its last counted reply, at least the duration
      long end = Math.max(lastFinishNanos, Math.min(endNanos, System.nanoTime()));
      done.complete(new RunResult(stats, (end - startNanos) / 1e9, inFlight));
    }
  }
}
