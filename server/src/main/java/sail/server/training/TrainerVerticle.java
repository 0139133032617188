package sail.server.training;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@link TrainingLoop} on one dedicated worker thread, one step per task, so that steps
 * interleave with serving and never touch an event loop. Between steps it yields for a short pause
 * when the loop has nothing to do (paused, or serving is busy).
 */
public final class TrainerVerticle extends VerticleBase {
  /** Wait before the next tick when the loop did not step. */
  static final long IDLE_MILLIS = 200;

  private final TrainingLoop loop;
  private WorkerExecutor executor;
  private volatile boolean stopping;

  public TrainerVerticle(TrainingLoop loop) {
    this.loop = loop;
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
        () ->
            executor
                .executeBlocking(loop::tick, true)
                .onComplete(
                    result -> schedule(result.succeeded() && result.result() ? 0 : IDLE_MILLIS));
    if (delayMillis == 0) {
      context.runOnContext(ignored -> tick.run());
    } else {
      vertx.setTimer(delayMillis, ignored -> tick.run());
    }
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    loop.pause();
    return executor.close();
  }
}
