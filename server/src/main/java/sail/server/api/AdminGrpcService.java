package sail.server.api;

import com.google.protobuf.Descriptors;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import sail.server.training.TrainingLoop;
import sail.server.training.guard.GuardReport;
import sail.server.training.reward.LabelMargin;
import sail.server.training.reward.RewardAccuracy;
import sail.server.training.reward.RewardLearner;
import sail.v1.AdminServiceGrpcService;
import sail.v1.CheckpointRequest;
import sail.v1.CheckpointResponse;
import sail.v1.Counts;
import sail.v1.EvaluateRequest;
import sail.v1.EvaluateResponse;
import sail.v1.GuardCheck;
import sail.v1.PublishRequest;
import sail.v1.PublishResponse;
import sail.v1.RewardModelStatus;
import sail.v1.RollbackRequest;
import sail.v1.RollbackResponse;
import sail.v1.StatusRequest;
import sail.v1.StatusResponse;
import sail.v1.TrainingState;
import sail.v1.TrainingStatus;

/**
 * {@code sail.v1.AdminService}: status, and control of the online trainer (pause, resume,
 * checkpoint, rollback) and evaluation. Training RPCs answer FAILED_PRECONDITION when training is
 * off; Evaluate runs with or without training.
 */
public final class AdminGrpcService implements Service {
  private final GenerationService service;

  public AdminGrpcService(GenerationService service) {
    this.service = service;
  }

  @Override
  public ServiceName name() {
    return AdminServiceGrpcService.SERVICE_NAME;
  }

  @Override
  public Descriptors.ServiceDescriptor descriptor() {
    return AdminServiceGrpcService.SERVICE_DESCRIPTOR;
  }

  @Override
  public void bind(GrpcServer server) {
    server.callHandler(AdminServiceGrpcService.Status, this::status);
    server.callHandler(
        AdminServiceGrpcService.PauseTraining,
        request ->
            UnaryRequests.onMessage(
                request, service.metrics(), message -> training(request, TrainingLoop::pause)));
    server.callHandler(
        AdminServiceGrpcService.ResumeTraining,
        request ->
            UnaryRequests.onMessage(
                request, service.metrics(), message -> training(request, TrainingLoop::resume)));
    server.callHandler(AdminServiceGrpcService.Publish, this::publish);
    server.callHandler(AdminServiceGrpcService.Checkpoint, this::checkpoint);
    server.callHandler(AdminServiceGrpcService.Rollback, this::rollback);
    server.callHandler(AdminServiceGrpcService.Evaluate, this::evaluate);
  }

  private void status(GrpcServerRequest<StatusRequest, StatusResponse> request) {
    UnaryRequests.onMessage(
        request,
        service.metrics(),
        message -> {
          GenerationService.Status s = service.status();
          request
              .response()
              .end(
                  StatusResponse.newBuilder()
                      .setModelVersion(s.modelVersion())
                      .setCounts(
                          Counts.newBuilder()
                              .setGenerations(s.counts().generations())
                              .setFeedback(s.counts().feedback())
                              .setPreferences(s.counts().preferences()))
                      .setQueued(s.queued())
                      .setActive(s.active())
                      .setUptimeSeconds(s.uptimeSeconds())
                      .setReady(s.ready())
                      .mergeFrom(trainingStatus())
                      .build());
        });
  }

  private StatusResponse trainingStatus() {
    TrainingLoop loop = service.training();
    if (loop == null) {
      return StatusResponse.getDefaultInstance();
    }
    return StatusResponse.newBuilder().setTraining(training(loop.status())).build();
  }

  /** The trainer's status as the admin API's message (the same figures as the HTTP status). */
  static TrainingStatus training(TrainingLoop.Status t) {
    TrainingStatus.Builder b =
        TrainingStatus.newBuilder()
            .setState(t.state().name())
            .setStep(t.step())
            .setPublishedVersion(t.publishedVersion())
            .setTime(
                sail.v1.TrainingTime.newBuilder()
                    .setRewardModelS(t.time().rewardModel())
                    .setDataS(t.time().data())
                    .setUpdateS(t.time().update())
                    .setPublishS(t.time().publish())
                    .setCheckpointS(t.time().checkpoint()));
    if (t.lastStep() != null) {
      b.setLastLoss(t.lastStep().loss()).setLastMeanS(t.lastStep().meanS());
      RewardLearner.Report reward = t.lastStep().reward();
      if (reward != null) {
        RewardAccuracy accuracy = reward.accuracy();
        LabelMargin margin = reward.margin();
        b.setRewardModel(
            RewardModelStatus.newBuilder()
                .setSteps(reward.steps())
                .setHeldOutExamples(accuracy == null ? 0 : accuracy.examples())
                .setAccuracy(accuracy == null ? Double.NaN : accuracy.overall())
                .setRankingAccuracy(accuracy == null ? Double.NaN : accuracy.ranking())
                .setReady(reward.ready())
                .setBackOff(reward.backOff())
                .setLabelGap(margin == null ? Double.NaN : margin.gap())
                .setLabelCoverage(margin == null ? Double.NaN : margin.coverage()));
      }
    }
    if (t.lastPublish() != null) {
      b.setLastPublishStep(t.lastPublish().step())
          .setLastPublishPassed(t.lastPublish().published())
          .setLastPublishMs(t.lastPublish().publishMillis());
      b.addAllGuards(guardChecks(t.lastPublish().guards()));
    }
    return b.build();
  }

  private TrainingLoop trainingOrFail(GrpcServerRequest<?, ?> request) {
    TrainingLoop loop = service.training();
    if (loop == null) {
      request
          .response()
          .status(GrpcStatus.FAILED_PRECONDITION)
          .statusMessage("training is off: the server runs with --no-train or is still loading")
          .end();
    }
    return loop;
  }

  /** Runs a pause or resume and answers once it has taken effect. */
  private void training(
      GrpcServerRequest<?, TrainingState> request,
      java.util.function.Function<TrainingLoop, CompletionStage<Void>> op) {
    TrainingLoop loop = trainingOrFail(request);
    if (loop == null) {
      return;
    }
    Context context = Vertx.currentContext();
    op.apply(loop)
        .whenComplete(
            (ignored, error) ->
                context.runOnContext(
                    done -> {
                      TrainingLoop.Status t = loop.status();
                      request
                          .response()
                          .end(
                              TrainingState.newBuilder()
                                  .setRunning(t.state() != TrainingLoop.State.PAUSED)
                                  .setState(t.state().name())
                                  .setStep(t.step())
                                  .build());
                    }));
  }

  private static List<GuardCheck> guardChecks(GuardReport report) {
    return report.checks().stream()
        .map(
            check ->
                GuardCheck.newBuilder()
                    .setName(check.guard().name())
                    .setValue(check.value())
                    .setBound(check.bound())
                    .setPassed(check.passed())
                    .build())
        .toList();
  }

  private void publish(GrpcServerRequest<PublishRequest, PublishResponse> request) {
    command(
        request,
        (loop, message) -> loop.publish(),
        (loop, report) -> {
          TrainingLoop.Status t = loop.status();
          PublishResponse.Builder b =
              PublishResponse.newBuilder()
                  .setModelVersion(t.publishedVersion())
                  .setStep(t.step())
                  .setDetail(PublishOutcome.detail(report, t));
          report.ifPresent(
              r -> b.setPublished(r.published()).addAllGuards(guardChecks(r.guards())));
          return b.build();
        },
        "publish failed: ");
  }

  private void checkpoint(GrpcServerRequest<CheckpointRequest, CheckpointResponse> request) {
    command(
        request,
        (loop, message) -> loop.checkpoint(),
        (loop, step) ->
            CheckpointResponse.newBuilder()
                .setModelVersion(loop.status().publishedVersion())
                .setPath("step-" + step)
                .build(),
        "checkpoint failed: ");
  }

  private void rollback(GrpcServerRequest<RollbackRequest, RollbackResponse> request) {
    command(
        request,
        (loop, message) -> loop.rollback(message.getModelVersion()),
        (loop, version) -> RollbackResponse.newBuilder().setModelVersion(version).build(),
        "model_version: ");
  }

  /**
   * Runs an operator command on the trainer once the request's message has arrived, and answers on
   * the request's context when it completes: with {@code answer} of its result, or with an error
   * status whose message is {@code errorPrefix} and the cause's — NOT_FOUND for an {@link
   * IllegalArgumentException} (an unknown version), INTERNAL otherwise.
   */
  private <Req, Resp, T> void command(
      GrpcServerRequest<Req, Resp> request,
      BiFunction<TrainingLoop, Req, CompletionStage<T>> start,
      BiFunction<TrainingLoop, T, Resp> answer,
      String errorPrefix) {
    UnaryRequests.onMessage(
        request,
        service.metrics(),
        message -> {
          TrainingLoop loop = trainingOrFail(request);
          if (loop == null) {
            return;
          }
          Context context = Vertx.currentContext();
          start
              .apply(loop, message)
              .whenComplete(
                  (result, error) ->
                      context.runOnContext(
                          ignored -> {
                            if (error == null) {
                              request.response().end(answer.apply(loop, result));
                              return;
                            }
                            Throwable cause =
                                error instanceof java.util.concurrent.CompletionException
                                        && error.getCause() != null
                                    ? error.getCause()
                                    : error;
                            request
                                .response()
                                .status(
                                    cause instanceof IllegalArgumentException
                                        ? GrpcStatus.NOT_FOUND
                                        : GrpcStatus.INTERNAL)
                                .statusMessage(errorPrefix + cause.getMessage())
                                .end();
                          }));
        });
  }

  private void evaluate(GrpcServerRequest<EvaluateRequest, EvaluateResponse> request) {
    UnaryRequests.onMessage(
        request,
        service.metrics(),
        message -> {
          Context context = Vertx.currentContext();
          Evaluations.start(
                  service,
                  message.hasModelVersion()
                      ? OptionalLong.of(message.getModelVersion())
                      : OptionalLong.empty(),
                  message.getPrompts(),
                  message.hasSeed() ? OptionalLong.of(message.getSeed()) : OptionalLong.empty())
              .whenComplete(
                  (report, error) ->
                      context.runOnContext(
                          ignored -> {
                            if (error != null) {
                              GrpcErrors.fail(request.response(), error, service.metrics());
                            } else {
                              request.response().end(Evaluations.toProto(report));
                            }
                          }));
        });
  }
}
