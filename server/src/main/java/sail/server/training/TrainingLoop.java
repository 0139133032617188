package sail.server.training;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, between steps, whether the trainer may run, and carries operator commands (pause,
 * resume, publish, checkpoint, rollback) to the trainer's thread. Serving has priority: a step runs
 * only while the serving queue is short.
 *
 * <p>{@link #tick()} is called repeatedly on the trainer's single thread; every other method is
 * safe from any thread.
 */
public final class TrainingLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

  /** What the trainer is doing. */
  public enum State {
    /** Taking steps. */
    RUNNING,
    /** Stopped by an operator. */
    PAUSED,
    /** Waiting for the serving queue to drain. */
    YIELDING,
    /** A step threw; see the log. Resume to try again. */
    FAILED
  }

  /** A point-in-time view for the status RPC. */
  public record Status(
      State state,
      long step,
      long publishedVersion,
      SailTrainer.StepReport lastStep,
      SailTrainer.PublishReport lastPublish,
      TrainingTime time) {}

  private final SailTrainer trainer;
  private final IntSupplier servingQueue;
  private final ConcurrentLinkedQueue<Command> commands = new ConcurrentLinkedQueue<>();
  private final sail.server.registry.ModelRegistry registry;
  private volatile State state = State.RUNNING;
  private volatile boolean stopped;
  private final Object stepLock = new Object();
  private volatile TrainingObserver observer = TrainingObserver.NONE;

  /**
   * An operator command for the trainer's thread, and what to tell its caller if training stops
   * before it runs (a caller must always get an answer, never wait forever).
   */
  private record Command(Runnable action, Runnable abandon) {}

  /**
   * @param servingQueue requests waiting in the serving engine (read before each step)
   */
  public TrainingLoop(
      SailTrainer trainer, sail.server.registry.ModelRegistry registry, IntSupplier servingQueue) {
    this.trainer = trainer;
    this.registry = registry;
    this.servingQueue = servingQueue;
  }

  /**
   * Runs pending commands, then one step if allowed.
   *
   * @return true if a step ran (call again at once), false if the caller should wait a little
   */
  public boolean tick() {
    synchronized (stepLock) {
      return tickLocked();
    }
  }

  /**
   * Stops training for good: no step starts after this returns, and a step that was running has
   * finished. Blocks; call it before closing the model the trainer uses.
   */
  public void stop() {
    stopped = true;
    synchronized (stepLock) {
      state = State.PAUSED;
    }
    abandonPending();
  }

  /** Answers every command that will not run now that training has stopped. */
  private void abandonPending() {
    Command command;
    while ((command = commands.poll()) != null) {
      command.abandon().run();
    }
  }

  /** Queues a command for the trainer's thread, or abandons it at once after {@link #stop}. */
  private void submit(Command command) {
    commands.add(command);
    if (stopped) {
      // stop() may have drained the queue just before this command arrived
      abandonPending();
    }
  }

  private static IllegalStateException stoppedError() {
    return new IllegalStateException("training has stopped: the server is shutting down");
  }

  private boolean tickLocked() {
    if (stopped) {
      return false;
    }
    Command command;
    while ((command = commands.poll()) != null) {
      command.action().run();
    }
    if (state == State.PAUSED || state == State.FAILED) {
      return false;
    }
    if (servingQueue.getAsInt() > trainer.settings().maxQueuedRequests()) {
      state = State.YIELDING;
      return false;
    }
    state = State.RUNNING;
    try {
      SailTrainer.PublishReport publishedBefore = trainer.lastPublish();
      SailTrainer.StepReport report = trainer.trainStep();
      if (report == null) {
        // no rows to train on yet; wait like a yielding trainer
        return false;
      }
      observer.stepped(report);
      if (trainer.lastPublish() != publishedBefore) {
        observer.publishAttempted(trainer.lastPublish());
      }
      return true;
    } catch (RuntimeException e) {
      LOG.error("training step {} failed; training paused", trainer.step() + 1, e);
      state = State.FAILED;
      return false;
    }
  }

  /** Sends every later step and publish attempt to {@code next} (replacing the previous one). */
  public void observe(TrainingObserver next) {
    observer = java.util.Objects.requireNonNull(next, "observer");
  }

  /**
   * Pauses training: no step starts after this call. A step already running finishes (it may
   * publish); the returned future completes once it has, so that from then on the served version
   * stays what it is until {@link #resume}.
   */
  public CompletableFuture<Void> pause() {
    state = State.PAUSED;
    CompletableFuture<Void> settled = new CompletableFuture<>();
    // commands run on the trainer's thread between steps, so this one runs after a running step;
    // if training stops first, it is paused for good and that is the answer
    submit(new Command(() -> settled.complete(null), () -> settled.complete(null)));
    return settled;
  }

  /** Lets training run again; returns a completed future (symmetry with {@link #pause}). */
  public CompletableFuture<Void> resume() {
    state = State.RUNNING;
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Writes a training checkpoint on the trainer's thread; completes with the step saved, or fails
   * if training stops before the trainer gets to it.
   */
  public CompletableFuture<Long> checkpoint() {
    CompletableFuture<Long> done = new CompletableFuture<>();
    submit(
        new Command(
            () -> {
              try {
                trainer.checkpoint();
                done.complete(trainer.step());
              } catch (RuntimeException e) {
                done.completeExceptionally(e);
              }
            },
            () -> done.completeExceptionally(stoppedError())));
    return done;
  }

  /**
   * Attempts a publish of the live weights on the trainer's thread, guards first, as the periodic
   * publish does; completes with its report, empty when no step was taken since the served version
   * was published, or fails if training stops before the trainer gets to it. A paused trainer
   * publishes too (and stays paused).
   */
  public CompletableFuture<Optional<SailTrainer.PublishReport>> publish() {
    CompletableFuture<Optional<SailTrainer.PublishReport>> done = new CompletableFuture<>();
    submit(
        new Command(
            () -> {
              try {
                Optional<SailTrainer.PublishReport> report = trainer.publishNow();
                report.ifPresent(observer::publishAttempted);
                done.complete(report);
              } catch (RuntimeException e) {
                done.completeExceptionally(e);
              }
            },
            () -> done.completeExceptionally(stoppedError())));
    return done;
  }

  /**
   * Serves {@code version} again and trains on from it; completes when it is served, or fails if
   * training stops before the trainer gets to it.
   */
  public CompletableFuture<Long> rollback(long version) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    submit(
        new Command(
            () -> {
              try {
                trainer.rollbackTo(version);
                done.complete(version);
              } catch (RuntimeException e) {
                done.completeExceptionally(e);
              }
            },
            () -> done.completeExceptionally(stoppedError())));
    return done;
  }

  public Status status() {
    return new Status(
        state,
        trainer.step(),
        registry.currentVersion(),
        trainer.lastStep(),
        trainer.lastPublish(),
        trainer.timeSpent());
  }

  public SailTrainer trainer() {
    return trainer;
  }
}
