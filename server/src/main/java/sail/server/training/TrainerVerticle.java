package sail.server.training;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;
import sail.server.model.GradMode;

/**
 * Runs the {@link TrainingLoop} on one dedicated worker thread, one step per task, so that steps
 * interleave with serving and never touch an event loop. Between steps it yields for a short pause
 * when the loop has nothing to do (paused, or serving is busy), and after each step it rests long
 * enough that training computes for at most {@code cpuShare} of the wall time: a step of d seconds
 * is followed by d · (1 − share) / share seconds of rest, leaving the core to serving. Its native
 * calls use {@code threads} intra-op threads (set on its thread before every step).
 */
public final class TrainerVerticle extends VerticleBase {
  /** Wait before the next tick when the loop did not step. */
  static final long IDLE_MILLIS = 200;

  private final TrainingLoop loop;
  private final double cpuShare;
  private final int threads;
  private WorkerExecutor executor;
  private volatile boolean stopping;

  /**
   * @param cpuShare the share of wall time the trainer may compute, in (0, 1]; 1 trains back to
   *     back
   * @param threads intra-op threads of the trainer's native calls, at least 1
   */
  public TrainerVerticle(TrainingLoop loop, double cpuShare, int threads) {
    if (!(cpuShare > 0 && cpuShare <= 1)) {
      throw new IllegalArgumentException("cpuShare must be in (0, 1], got " + cpuShare);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.loop = loop;
    this.cpuShare = cpuShare;
    this.threads = threads;
  }

  @Override
  public Future<?> start() {
    // one thread: DJL's autograd state and native scopes are per thread
    executor = vertx.createSharedWorkerExecutor("sail-trainer", 1, 7, TimeUnit.DAYS);
    schedule(0);
    return Future.succeededFuture();
  }

  private void schedule(long delayMillis) {
    if (stopping) {
      return;
    }
    Runnable tick =
        () -> {
          long started = System.nanoTime();
          executor
              .executeBlocking(
                  () -> {
                    GradMode.setThreadsForThisThread(threads);
                    return loop.tick();
                  },
                  true)
              .onComplete(
                  result -> {
                    boolean stepped = result.succeeded() && result.result();
                    long tookMillis = (System.nanoTime() - started) / 1_000_000;
                    schedule(stepped ? rest(tookMillis, cpuShare) : IDLE_MILLIS);
                  });
        };
    if (delayMillis == 0) {
      context.runOnContext(ignored -> tick.run());
    } else {
      vertx.setTimer(delayMillis, ignored -> tick.run());
    }
  }

  /** The rest after a step of {@code stepMillis} that keeps training within {@code share}. */
  static long rest(long stepMillis, double share) {
    return share >= 1 ? 0 : Math.round(stepMillis * (1 - share) / share);
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    // wait on a worker for a running step to end, so the model is not closed under it
    return vertx
        .executeBlocking(
            () -> {
              loop.stop();
              return null;
            })
        .compose(v -> executor.close());
  }
}
