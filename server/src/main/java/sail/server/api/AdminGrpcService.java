package sail.server.api;

import com.google.protobuf.Descriptors;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import sail.v1.AdminServiceGrpcService;
import sail.v1.Counts;
import sail.v1.StatusRequest;
import sail.v1.StatusResponse;

/**
 * {@code sail.v1.AdminService}. Training control answers UNIMPLEMENTED until the online trainer
 * exists; its methods are declared so clients can be written against the final contract.
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
    unimplemented(server, AdminServiceGrpcService.PauseTraining);
    unimplemented(server, AdminServiceGrpcService.ResumeTraining);
    unimplemented(server, AdminServiceGrpcService.Checkpoint);
    unimplemented(server, AdminServiceGrpcService.Rollback);
    unimplemented(server, AdminServiceGrpcService.Evaluate);
  }

  private void status(GrpcServerRequest<StatusRequest, StatusResponse> request) {
    request.handler(
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
                      .build());
        });
  }

  private static <Req, Resp> void unimplemented(
      GrpcServer server, ServiceMethod<Req, Resp> method) {
    server.callHandler(
        method,
        request ->
            request.handler(
                message ->
                    request
                        .response()
                        .status(GrpcStatus.UNIMPLEMENTED)
                        .statusMessage(
                            method.methodName()
                                + " is not available yet: online training control lands with the"
                                + " trainer")
                        .end()));
  }
}
