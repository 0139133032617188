package sail.server.training;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Operator commands always get an answer, even when the server stops before the trainer's thread
 * runs them. These paths never reach the trainer or the registry, so the loop is built without
 * them; everything that steps is covered with a real trainer in {@code TrainingServerTest}.
 */
class TrainingLoopTest {

  @Test
  void commandsQueuedBeforeStopAreAnsweredByIt() throws Exception {
    TrainingLoop loop = new TrainingLoop(null, null, () -> 0);
    CompletableFuture<Long> checkpoint = loop.checkpoint();
    CompletableFuture<Long> rollback = loop.rollback(3);
    CompletableFuture<?> publish = loop.publish();
    CompletableFuture<Void> pause = loop.pause();
    assertFalse(checkpoint.isDone() || rollback.isDone() || publish.isDone() || pause.isDone());

    loop.stop();

    assertStoppedFailure(checkpoint);
    assertStoppedFailure(publish);
    assertStoppedFailure(rollback);
    pause.get(1, TimeUnit.SECONDS); // paused for good: a normal answer
  }

  @Test
  void commandsAfterStopFailAtOnce() throws Exception {
    TrainingLoop loop = new TrainingLoop(null, null, () -> 0);
    loop.stop();
    assertStoppedFailure(loop.checkpoint());
    assertStoppedFailure(loop.rollback(1));
    assertStoppedFailure(loop.publish());
    assertTrue(loop.pause().isDone());
    assertFalse(loop.tick(), "a stopped loop never steps");
  }

  private static void assertStoppedFailure(CompletableFuture<?> future) {
    assertTrue(future.isDone(), "answered at once");
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(1, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("training has stopped"), e.getMessage());
  }
}
