package sail.server.api;

import com.google.protobuf.Descriptors;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vertx.grpc.server.Service;
import java.util.List;
import sail.server.config.ServerConfig;
import sail.server.inference.TextGenerator;
import sail.v1.FeedbackRequest;
import sail.v1.FeedbackResponse;
import sail.v1.GenerateChunk;
import sail.v1.GenerateRequest;
import sail.v1.GenerateResponse;
import sail.v1.GetModelInfoRequest;
import sail.v1.ModelInfo;
import sail.v1.PolicyServiceGrpcService;
import sail.v1.PreferRequest;
import sail.v1.PreferResponse;

/**
 * {@code sail.v1.PolicyService} on the low-level call handlers: they expose the client's cancel and
 * the deadline, which the generated stub style hides, and let a streaming call fail explicitly.
 */
public final class PolicyGrpcService implements Service {
  private final GenerationService service;

  public PolicyGrpcService(GenerationService service) {
    this.service = service;
  }

  @Override
  public ServiceName name() {
    return PolicyServiceGrpcService.SERVICE_NAME;
  }

  @Override
  public Descriptors.ServiceDescriptor descriptor() {
    return PolicyServiceGrpcService.SERVICE_DESCRIPTOR;
  }

  @Override
  public void bind(GrpcServer server) {
    server.callHandler(PolicyServiceGrpcService.Generate, this::generate);
    server.callHandler(PolicyServiceGrpcService.GenerateStream, this::generateStream);
    server.callHandler(PolicyServiceGrpcService.Feedback, this::feedback);
    server.callHandler(PolicyServiceGrpcService.Prefer, this::prefer);
    server.callHandler(PolicyServiceGrpcService.GetModelInfo, this::modelInfo);
  }

  private void generate(GrpcServerRequest<GenerateRequest, GenerateResponse> request) {
    GrpcServerResponse<GenerateRequest, GenerateResponse> response = request.response();
    UnaryRequests.onMessage(
        request,
        service.metrics(),
        message ->
            run(
                request,
                message,
                new GenerationService.CallListener() {
                  @Override
                  public void onDone(List<Candidate> candidates) {
                    GenerateResponse.Builder reply = GenerateResponse.newBuilder();
                    for (Candidate c : candidates) {
                      reply.addCompletions(ProtoMapping.completion(c, message.getReturnLogprobs()));
                    }
                    response.end(reply.build());
                  }

                  @Override
                  public void onError(Throwable error) {
                    GrpcErrors.fail(response, error, service.metrics());
                  }
                }));
  }

  private void generateStream(GrpcServerRequest<GenerateRequest, GenerateChunk> request) {
    GrpcServerResponse<GenerateRequest, GenerateChunk> response = request.response();
    UnaryRequests.onMessage(
        request,
        service.metrics(),
        message ->
            run(
                request,
                message,
                new GenerationService.CallListener() {
                  @Override
                  public void onDelta(int index, String delta) {
                    response.write(
                        GenerateChunk.newBuilder().setIndex(index).setDelta(delta).build());
                  }

                  @Override
                  public void onCandidate(Candidate c) {
                    response.write(
                        GenerateChunk.newBuilder()
                            .setIndex(c.index())
                            .setCompletion(ProtoMapping.completion(c, message.getReturnLogprobs()))
                            .build());
                  }

                  @Override
                  public void onDone(List<Candidate> candidates) {
                    response.end();
                  }

                  @Override
                  public void onError(Throwable error) {
                    GrpcErrors.fail(response, error, service.metrics());
                  }
                }));
  }

  /**
   * Starts a generation for one call and ties its lifetime to the call: a client cancel or a passed
   * deadline cancels the generation (freeing its batch slots), after which nothing more is written.
   */
  private <R> void run(
      GrpcServerRequest<GenerateRequest, R> request,
      GenerateRequest message,
      GenerationService.CallListener listener) {
    GrpcServerResponse<GenerateRequest, R> response = request.response();
    Context context = Vertx.currentContext();
    GenerationService.Call call;
    try {
      GenerateCommand command = service.validate(ProtoMapping.input(message));
      call = service.start(command, "grpc", context, listener);
    } catch (RuntimeException e) {
      GrpcErrors.fail(response, e, service.metrics());
      return;
    }
    // the client reset the stream (CANCELLED) or the connection broke
    request.errorHandler(error -> call.cancel());
    response.exceptionHandler(error -> call.cancel());
    // the server already answered DEADLINE_EXCEEDED (setScheduleDeadlineAutomatically)
    if (request.deadline() != null) {
      request.deadline().onSuccess(v -> call.cancel());
    }
  }

  private void feedback(GrpcServerRequest<FeedbackRequest, FeedbackResponse> request) {
    Context context = Vertx.currentContext();
    GrpcServerResponse<FeedbackRequest, FeedbackResponse> response = request.response();
    UnaryRequests.onMessage(
        request,
        service.metrics(),
        message -> {
          try {
            RequestValidator v = service.validator();
            String id = v.generationId("generation_id", message.getGenerationId());
            var rating = ProtoMapping.rating(message.getRating());
            String comment = v.comment(message.getComment());
            String client = v.clientId(message.getClientId());
            Future.fromCompletionStage(service.feedback(id, rating, comment, client), context)
                .onSuccess(
                    replaced ->
                        response.end(FeedbackResponse.newBuilder().setReplaced(replaced).build()))
                .onFailure(error -> GrpcErrors.fail(response, error, service.metrics()));
          } catch (RuntimeException e) {
            GrpcErrors.fail(response, e, service.metrics());
          }
        });
  }

  private void prefer(GrpcServerRequest<PreferRequest, PreferResponse> request) {
    Context context = Vertx.currentContext();
    GrpcServerResponse<PreferRequest, PreferResponse> response = request.response();
    UnaryRequests.onMessage(
        request,
        service.metrics(),
        message -> {
          try {
            RequestValidator v = service.validator();
            String chosen = v.generationId("chosen_id", message.getChosenId());
            String rejected = v.generationId("rejected_id", message.getRejectedId());
            String client = v.clientId(message.getClientId());
            Future.fromCompletionStage(service.prefer(chosen, rejected, client), context)
                .onSuccess(
                    replaced ->
                        response.end(PreferResponse.newBuilder().setReplaced(replaced).build()))
                .onFailure(error -> GrpcErrors.fail(response, error, service.metrics()));
          } catch (RuntimeException e) {
            GrpcErrors.fail(response, e, service.metrics());
          }
        });
  }

  private void modelInfo(GrpcServerRequest<GetModelInfoRequest, ModelInfo> request) {
    UnaryRequests.onMessage(
        request,
        service.metrics(),
        message -> {
          TextGenerator engine = service.engine();
          if (engine == null) {
            GrpcErrors.fail(
                request.response(),
                new ApiException.Unavailable("model is still loading"),
                service.metrics());
            return;
          }
          ServerConfig.Limits limits = service.validator().limits();
          request
              .response()
              .end(
                  ModelInfo.newBuilder()
                      .setModelVersion(engine.currentModelVersion())
                      .setContextLength(engine.contextLength())
                      .setMaxPromptChars(limits.maxPromptChars())
                      .setMaxTokensLimit(limits.maxTokens())
                      .setMaxCandidates(limits.maxCandidates())
                      .build());
        });
  }
}
