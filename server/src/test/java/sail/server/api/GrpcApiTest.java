package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import io.vertx.grpc.reflection.v1.ServerReflectionRequest;
import io.vertx.grpc.reflection.v1.ServerReflectionResponse;
import io.vertx.grpc.reflection.v1.ServiceResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import sail.server.RunningServer;
import sail.server.data.GenerationIds;
import sail.server.testing.EchoGenerator;
import sail.server.testing.TestServer;
import sail.v1.AdminServiceGrpcClient;
import sail.v1.Completion;
import sail.v1.Conversation;
import sail.v1.FeedbackRequest;
import sail.v1.FinishReason;
import sail.v1.GenerateChunk;
import sail.v1.GenerateRequest;
import sail.v1.GenerateResponse;
import sail.v1.GetModelInfoRequest;
import sail.v1.Message;
import sail.v1.PauseTrainingRequest;
import sail.v1.PolicyServiceGrpcClient;
import sail.v1.PreferRequest;
import sail.v1.Rating;
import sail.v1.StatusRequest;
import sail.v1.StatusResponse;

/** The gRPC API through the Vert.x gRPC client against the real server on a random port. */
@ExtendWith(VertxExtension.class)
class GrpcApiTest {
  @TempDir static Path dir;
  static EchoGenerator engine;
  static RunningServer server;
  static Vertx vertx;
  static GrpcClient client;
  static SocketAddress address;

  @BeforeAll
  static void start() throws Exception {
    engine = new EchoGenerator(8, 32, 2);
    server = TestServer.start(dir, engine);
    vertx = Vertx.vertx();
    client = GrpcClient.client(vertx);
    address = SocketAddress.inetSocketAddress(server.port(), "127.0.0.1");
  }

  @AfterAll
  static void stop() {
    client.close().await();
    vertx.close().await();
    server.close();
    engine.close();
  }

  static PolicyServiceGrpcClient policy() {
    return PolicyServiceGrpcClient.create(client, address);
  }

  /** A unary call that keeps the status and message of a failure. */
  static <Req, Resp> Call<Resp> call(ServiceMethod<Resp, Req> method, Req request) {
    GrpcClientResponse<Req, Resp> response =
        client
            .request(address, method)
            .compose(r -> r.send(request))
            .timeout(10, TimeUnit.SECONDS)
            .await();
    Future<Resp> last = response.last();
    try {
      return new Call<>(last.timeout(10, TimeUnit.SECONDS).await(), GrpcStatus.OK, null);
    } catch (Exception e) {
      return new Call<>(null, response.status(), response.statusMessage());
    }
  }

  record Call<T>(T value, GrpcStatus status, String message) {}

  static GenerateRequest.Builder prompt(String text) {
    return GenerateRequest.newBuilder().setPrompt(text);
  }

  static GenerateResponse generate(GenerateRequest request) {
    return policy().generate(request).timeout(10, TimeUnit.SECONDS).await();
  }

  static StatusResponse status() {
    return AdminServiceGrpcClient.create(client, address)
        .status(StatusRequest.getDefaultInstance())
        .timeout(10, TimeUnit.SECONDS)
        .await();
  }

  /** Waits for queued traffic log writes, so counts reflect what was answered. */
  static void awaitLogged() throws Exception {
    server.trafficLog().flush().get(10, TimeUnit.SECONDS);
  }

  @Test
  void unaryGenerateReturnsOneCompletionPerCandidate() throws Exception {
    long before = status().getCounts().getGenerations();
    GenerateResponse response =
        generate(prompt("hello world").setSeed(7).setN(2).setReturnLogprobs(true).build());

    assertEquals(2, response.getCompletionsCount());
    Completion first = response.getCompletions(0);
    Completion second = response.getCompletions(1);
    assertEquals(EchoGenerator.replyTo("hello world", 7), first.getText());
    assertEquals(EchoGenerator.replyTo("hello world", 8), second.getText());
    assertEquals(1, second.getIndex());
    assertTrue(GenerationIds.looksValid(first.getId()), first.getId());
    assertNotEquals(first.getId(), second.getId());
    assertEquals(1, first.getModelVersion());
    assertEquals(FinishReason.STOP, first.getFinishReason());
    assertEquals(3, first.getPromptTokens());
    assertEquals(4, first.getCompletionTokens());
    assertEquals(4, first.getTokenLogprobsCount());
    assertEquals(-2.0, first.getSumLogprob(), 1e-6);

    awaitLogged();
    assertEquals(before + 2, status().getCounts().getGenerations());
    assertEquals(
        "hello world",
        server.trafficLog().findGeneration(first.getId()).orElseThrow().prompt().get(0).content());
  }

  @Test
  void conversationAndLengthLimit() {
    GenerateRequest request =
        GenerateRequest.newBuilder()
            .setConversation(
                Conversation.newBuilder()
                    .addMessages(
                        Message.newBuilder().setRole(Message.Role.SYSTEM).setContent("be brief"))
                    .addMessages(
                        Message.newBuilder()
                            .setRole(Message.Role.USER)
                            .setContent("one two three")))
            .setSeed(1)
            .setMaxTokens(2)
            .build();
    Completion c = generate(request).getCompletions(0);
    assertEquals("echo 1", c.getText());
    assertEquals(FinishReason.LENGTH, c.getFinishReason());
  }

  @Test
  void streamDeliversDeltasThenTheCompletion() {
    List<GenerateChunk> chunks = new ArrayList<>();
    policy()
        .generateStream(prompt("stream me please").setSeed(5).build())
        .compose(
            stream -> {
              Promise<Void> done = Promise.promise();
              stream
                  .handler(chunks::add)
                  .endHandler(v -> done.complete())
                  .exceptionHandler(done::fail);
              return done.future();
            })
        .timeout(10, TimeUnit.SECONDS)
        .await();

    StringBuilder text = new StringBuilder();
    Completion completion = null;
    for (GenerateChunk chunk : chunks) {
      if (chunk.hasCompletion()) {
        completion = chunk.getCompletion();
      } else {
        assertTrue(completion == null, "no delta after the completion");
        text.append(chunk.getDelta());
      }
    }
    assertEquals(EchoGenerator.replyTo("stream me please", 5), text.toString());
    assertEquals(text.toString(), completion.getText());
    assertEquals(5, chunks.size() - 1, "one delta per token");
    assertTrue(GenerationIds.looksValid(completion.getId()));
  }

  @Test
  void feedbackIsIdempotentPerClientAndPreferencesNeedTheSamePrompt() throws Exception {
    GenerateResponse pair = generate(prompt("which is better").setN(2).build());
    String a = pair.getCompletions(0).getId();
    String b = pair.getCompletions(1).getId();
    long feedbackBefore = status().getCounts().getFeedback();

    FeedbackRequest up =
        FeedbackRequest.newBuilder()
            .setGenerationId(a)
            .setRating(Rating.UP)
            .setClientId("c1")
            .build();
    assertFalse(policy().feedback(up).timeout(10, TimeUnit.SECONDS).await().getReplaced());
    assertTrue(
        policy()
            .feedback(up.toBuilder().setRating(Rating.DOWN).setComment("meh").build())
            .timeout(10, TimeUnit.SECONDS)
            .await()
            .getReplaced());
    assertEquals(feedbackBefore + 1, status().getCounts().getFeedback());

    PreferRequest prefer =
        PreferRequest.newBuilder().setChosenId(b).setRejectedId(a).setClientId("c1").build();
    assertFalse(policy().prefer(prefer).timeout(10, TimeUnit.SECONDS).await().getReplaced());

    String other = generate(prompt("another prompt").build()).getCompletions(0).getId();
    Call<?> mismatch =
        call(
            PolicyServiceGrpcClient.Prefer,
            PreferRequest.newBuilder().setChosenId(a).setRejectedId(other).build());
    assertEquals(GrpcStatus.INVALID_ARGUMENT, mismatch.status());
    assertTrue(mismatch.message().contains("different prompts"), mismatch.message());

    Call<?> unknown =
        call(
            PolicyServiceGrpcClient.Feedback,
            FeedbackRequest.newBuilder()
                .setGenerationId(GenerationIds.next())
                .setRating(Rating.UP)
                .build());
    assertEquals(GrpcStatus.NOT_FOUND, unknown.status());

    Call<?> noRating =
        call(
            PolicyServiceGrpcClient.Feedback,
            FeedbackRequest.newBuilder().setGenerationId(a).build());
    assertEquals(GrpcStatus.INVALID_ARGUMENT, noRating.status());
    assertTrue(noRating.message().startsWith("rating"), noRating.message());
  }

  @Test
  void invalidRequestsNameTheField() {
    assertInvalid(prompt(""), "prompt");
    assertInvalid(GenerateRequest.newBuilder(), "prompt");
    assertInvalid(prompt("x".repeat(9000)), "prompt");
    assertInvalid(prompt("hi").setMaxTokens(-1), "max_tokens");
    assertInvalid(prompt("hi").setMaxTokens(5000), "max_tokens");
    assertInvalid(prompt("hi").setTemperature(2.5), "temperature");
    assertInvalid(prompt("hi").setTopP(0), "top_p");
    assertInvalid(prompt("hi").setN(5), "n");
    assertInvalid(prompt("hi").addStop(""), "stop");
    // and the server keeps serving
    assertEquals(1, generate(prompt("still here").build()).getCompletionsCount());
  }

  private static void assertInvalid(GenerateRequest.Builder request, String field) {
    Call<?> result = call(PolicyServiceGrpcClient.Generate, request.build());
    assertEquals(GrpcStatus.INVALID_ARGUMENT, result.status(), field);
    assertTrue(result.message().startsWith(field + ":"), result.message());
  }

  @Test
  void noLogRequestsLeaveNoRow() throws Exception {
    String secret =
        generate(prompt("private words").setNoLog(true).build()).getCompletions(0).getId();
    String logged = generate(prompt("public words").build()).getCompletions(0).getId();
    awaitLogged();
    assertTrue(server.trafficLog().findGeneration(logged).isPresent());
    assertTrue(server.trafficLog().findGeneration(secret).isEmpty());
    Call<?> feedback =
        call(
            PolicyServiceGrpcClient.Feedback,
            FeedbackRequest.newBuilder().setGenerationId(secret).setRating(Rating.UP).build());
    assertEquals(GrpcStatus.NOT_FOUND, feedback.status());
  }

  @Test
  void engineErrorsBecomeInternal() {
    Call<?> result = call(PolicyServiceGrpcClient.Generate, prompt("fail").build());
    assertEquals(GrpcStatus.INTERNAL, result.status());
  }

  @Test
  void adminStatusAndModelInfo() {
    engine.setModelVersion(1);
    StatusResponse s = status();
    assertEquals(1, s.getModelVersion());
    assertTrue(s.getReady());
    assertEquals(
        512,
        policy()
            .getModelInfo(GetModelInfoRequest.getDefaultInstance())
            .timeout(10, TimeUnit.SECONDS)
            .await()
            .getContextLength());
    Call<?> pause =
        call(AdminServiceGrpcClient.PauseTraining, PauseTrainingRequest.getDefaultInstance());
    assertEquals(GrpcStatus.FAILED_PRECONDITION, pause.status(), "training is off");
  }

  @Test
  void healthAndReflection() {
    ServiceMethod<HealthCheckResponse, HealthCheckRequest> check =
        ServiceMethod.client(
            ServiceName.create("grpc.health.v1.Health"),
            "Check",
            GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));
    Call<HealthCheckResponse> health =
        call(check, HealthCheckRequest.newBuilder().setService("sail.v1.PolicyService").build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.value().getStatus());

    ServiceMethod<ServerReflectionResponse, ServerReflectionRequest> reflect =
        ServiceMethod.client(
            ServiceName.create("grpc.reflection.v1.ServerReflection"),
            "ServerReflectionInfo",
            GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(ServerReflectionResponse.newBuilder()));
    Call<ServerReflectionResponse> listed =
        call(reflect, ServerReflectionRequest.newBuilder().setListServices("").build());
    List<String> names =
        listed.value().getListServicesResponse().getServiceList().stream()
            .map(ServiceResponse::getName)
            .toList();
    assertTrue(names.contains("sail.v1.PolicyService"), names.toString());
    assertTrue(names.contains("sail.v1.AdminService"), names.toString());
  }
}
