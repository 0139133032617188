package sail.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import sail.v1.AdminServiceGrpcClient;
import sail.v1.Completion;
import sail.v1.FeedbackRequest;
import sail.v1.FeedbackResponse;
import sail.v1.GenerateChunk;
import sail.v1.GenerateRequest;
import sail.v1.GenerateResponse;
import sail.v1.GetModelInfoRequest;
import sail.v1.ModelInfo;
import sail.v1.PolicyServiceGrpcClient;
import sail.v1.PreferRequest;
import sail.v1.PreferResponse;
import sail.v1.Rating;
import sail.v1.StatusRequest;
import sail.v1.StatusResponse;

/**
 * Asynchronous client of a SAIL server on Vert.x gRPC. Every call returns a {@link Future}; a
 * non-OK status fails it with a {@link SailClientException} that keeps the server's message. Calls
 * carry a deadline ({@code grpc-timeout}); the server cancels the generation when it passes.
 */
public final class SailClient implements AutoCloseable {
  private final GrpcClient grpc;
  private final SocketAddress address;
  private final Duration timeout;
  private final String authorization;

  public SailClient(Vertx vertx, Target target, Duration timeout) {
    this(vertx, target, timeout, ClientSecurity.NONE);
  }

  /** A client that uses TLS and sends an API key as {@code security} says. */
  public SailClient(Vertx vertx, Target target, Duration timeout, ClientSecurity security) {
    this.grpc =
        security.tls()
            ? GrpcClient.client(vertx, security.httpOptions())
            : GrpcClient.client(vertx);
    this.address = SocketAddress.inetSocketAddress(target.port(), target.host());
    this.timeout = timeout;
    this.authorization = security.authorization();
  }

  public Future<GenerateResponse> generate(GenerateRequest request) {
    return unary(PolicyServiceGrpcClient.Generate, request);
  }

  /**
   * Streams a generation: {@code onChunk} sees every chunk as it arrives; the future completes with
   * the finished candidates in index order.
   */
  public Future<List<Completion>> generateStream(
      GenerateRequest request, Consumer<GenerateChunk> onChunk) {
    return open(PolicyServiceGrpcClient.GenerateStream)
        .compose(call -> call.send(request))
        .compose(
            response -> {
              List<Completion> completions = new ArrayList<>();
              response.handler(
                  chunk -> {
                    if (chunk.hasCompletion()) {
                      completions.add(chunk.getCompletion());
                    }
                    onChunk.accept(chunk);
                  });
              Promise<List<Completion>> done = Promise.promise();
              response
                  .end()
                  .onComplete(
                      ar -> {
                        if (response.status() != null && response.status() != GrpcStatus.OK) {
                          done.fail(
                              new SailClientException(response.status(), response.statusMessage()));
                        } else if (ar.failed()) {
                          done.fail(ar.cause());
                        } else {
                          completions.sort(Comparator.comparingInt(Completion::getIndex));
                          done.complete(completions);
                        }
                      });
              return done.future();
            });
  }

  public Future<FeedbackResponse> feedback(
      String id, Rating rating, String comment, String client) {
    return unary(
        PolicyServiceGrpcClient.Feedback,
        FeedbackRequest.newBuilder()
            .setGenerationId(id)
            .setRating(rating)
            .setComment(comment == null ? "" : comment)
            .setClientId(client == null ? "" : client)
            .build());
  }

  public Future<PreferResponse> prefer(String chosenId, String rejectedId, String client) {
    return unary(
        PolicyServiceGrpcClient.Prefer,
        PreferRequest.newBuilder()
            .setChosenId(chosenId)
            .setRejectedId(rejectedId)
            .setClientId(client == null ? "" : client)
            .build());
  }

  public Future<ModelInfo> modelInfo() {
    return unary(PolicyServiceGrpcClient.GetModelInfo, GetModelInfoRequest.getDefaultInstance());
  }

  public Future<StatusResponse> status() {
    return unary(AdminServiceGrpcClient.Status, StatusRequest.getDefaultInstance());
  }

  public Future<sail.v1.TrainingState> pauseTraining() {
    return unary(
        AdminServiceGrpcClient.PauseTraining, sail.v1.PauseTrainingRequest.getDefaultInstance());
  }

  public Future<sail.v1.TrainingState> resumeTraining() {
    return unary(
        AdminServiceGrpcClient.ResumeTraining, sail.v1.ResumeTrainingRequest.getDefaultInstance());
  }

  /** Asks the trainer to publish its live weights now, guards first. */
  public Future<sail.v1.PublishResponse> publish() {
    return unary(AdminServiceGrpcClient.Publish, sail.v1.PublishRequest.getDefaultInstance());
  }

  public Future<sail.v1.CheckpointResponse> checkpoint() {
    return unary(AdminServiceGrpcClient.Checkpoint, sail.v1.CheckpointRequest.getDefaultInstance());
  }

  public Future<sail.v1.RollbackResponse> rollback(long version) {
    return unary(
        AdminServiceGrpcClient.Rollback,
        sail.v1.RollbackRequest.newBuilder().setModelVersion(version).build());
  }

  /**
   * Win-rate of {@code version} (null: the served one) against the reference on {@code prompts}
   * held-out prompts (0: the server's default), replies seeded by {@code seed} (null: the server's
   * default).
   */
  public Future<sail.v1.EvaluateResponse> evaluate(Long version, int prompts, Long seed) {
    sail.v1.EvaluateRequest.Builder request = sail.v1.EvaluateRequest.newBuilder();
    if (version != null) {
      request.setModelVersion(version);
    }
    if (seed != null) {
      request.setSeed(seed);
    }
    return unary(AdminServiceGrpcClient.Evaluate, request.setPrompts(prompts).build());
  }

  private <Req, Resp> Future<GrpcClientRequest<Req, Resp>> open(ServiceMethod<Resp, Req> method) {
    return grpc.request(address, method)
        .map(
            call -> {
              if (authorization != null) {
                call.headers().set("authorization", authorization);
              }
              return call.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
            });
  }

  private <Req, Resp> Future<Resp> unary(ServiceMethod<Resp, Req> method, Req message) {
    return open(method)
        .compose(call -> call.send(message))
        .compose(
            (GrpcClientResponse<Req, Resp> response) ->
                response
                    .last()
                    .recover(
                        error ->
                            response.status() != null && response.status() != GrpcStatus.OK
                                ? Future.failedFuture(
                                    new SailClientException(
                                        response.status(), response.statusMessage()))
                                : Future.failedFuture(error)));
  }

  @Override
  public void close() {
    grpc.close();
  }
}
