package sail.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import sail.v1.Completion;
import sail.v1.FeedbackResponse;
import sail.v1.GenerateChunk;
import sail.v1.GenerateRequest;
import sail.v1.GenerateResponse;
import sail.v1.ModelInfo;
import sail.v1.PreferResponse;
import sail.v1.Rating;
import sail.v1.StatusResponse;

/**
 * A blocking facade over {@link SailClient} with its own Vert.x instance, for scripts and the CLI.
 * Must not be used on a Vert.x event loop. Failures are thrown as {@link SailClientException}
 * (server status) or {@link IllegalStateException} (transport, timeout).
 */
public final class BlockingSailClient implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final SailClient client;
  private final Duration timeout;

  public BlockingSailClient(Target target, Duration timeout) {
    this(target, timeout, ClientSecurity.NONE);
  }

  public BlockingSailClient(Target target, Duration timeout, ClientSecurity security) {
    this.client = new SailClient(vertx, target, timeout, security);
    this.timeout = timeout;
  }

  public GenerateResponse generate(GenerateRequest request) {
    return await(client.generate(request));
  }

  /** Streams; {@code onChunk} runs on a Vert.x thread as chunks arrive. */
  public List<Completion> generateStream(GenerateRequest request, Consumer<GenerateChunk> onChunk) {
    return await(client.generateStream(request, onChunk));
  }

  public FeedbackResponse feedback(String id, Rating rating, String comment, String clientId) {
    return await(client.feedback(id, rating, comment, clientId));
  }

  public PreferResponse prefer(String chosenId, String rejectedId, String clientId) {
    return await(client.prefer(chosenId, rejectedId, clientId));
  }

  public ModelInfo modelInfo() {
    return await(client.modelInfo());
  }

  public StatusResponse status() {
    return await(client.status());
  }

  public sail.v1.TrainingState pauseTraining() {
    return await(client.pauseTraining());
  }

  public sail.v1.TrainingState resumeTraining() {
    return await(client.resumeTraining());
  }

  public sail.v1.PublishResponse publish() {
    return await(client.publish());
  }

  public sail.v1.CheckpointResponse checkpoint() {
    return await(client.checkpoint());
  }

  public sail.v1.RollbackResponse rollback(long version) {
    return await(client.rollback(version));
  }

  /** See {@link SailClient#evaluate}. */
  public sail.v1.EvaluateResponse evaluate(Long version, int prompts, Long seed) {
    return await(client.evaluate(version, prompts, seed));
  }

  private <T> T await(Future<T> future) {
    try {
      // the server-side deadline fires first; the margin covers connection setup
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SailClientException s) {
        throw s;
      }
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    client.close();
    vertx.close();
  }
}
