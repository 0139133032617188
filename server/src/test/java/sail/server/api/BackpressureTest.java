package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.RunningServer;
import sail.server.testing.EchoGenerator;
import sail.server.testing.TestServer;
import sail.v1.GenerateChunk;
import sail.v1.GenerateRequest;
import sail.v1.PolicyServiceGrpc;
import sail.v1.PolicyServiceGrpcClient;

/**
 * Slots and the admission queue: one batch slot, one queue place, 20 ms per token. Cancel and
 * deadline free the slot; a full queue answers RESOURCE_EXHAUSTED / 429.
 */
class BackpressureTest {
  @TempDir static Path dir;
  static EchoGenerator engine;
  static RunningServer server;
  static Vertx vertx;
  static GrpcClient client;

  static final String LONG_PROMPT = "word ".repeat(200).trim();

  @BeforeAll
  static void start() throws Exception {
    engine = new EchoGenerator(1, 1, 20);
    server = TestServer.start(dir, engine);
    vertx = Vertx.vertx();
    client = GrpcClient.client(vertx);
  }

  @AfterAll
  static void stop() {
    client.close().await();
    vertx.close().await();
    server.close();
    engine.close();
  }

  @AfterEach
  void idle() throws Exception {
    waitUntil(() -> engine.activeSequences() == 0 && engine.queuedRequests() == 0, "engine idle");
  }

  static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("timed out waiting for: " + what);
  }

  /** Opens a long stream; {@code firstChunk} completes when its first chunk arrives. */
  static GrpcClientRequest<GenerateRequest, GenerateChunk> openStream(
      CompletableFuture<GenerateChunk> firstChunk) {
    GrpcClientRequest<GenerateRequest, GenerateChunk> request =
        client
            .request(
                SocketAddress.inetSocketAddress(server.port(), "127.0.0.1"),
                PolicyServiceGrpcClient.GenerateStream)
            .timeout(10, TimeUnit.SECONDS)
            .await();
    request.end(GenerateRequest.newBuilder().setPrompt(LONG_PROMPT).setMaxTokens(500).build());
    request
        .response()
        .onSuccess(
            (GrpcClientResponse<GenerateRequest, GenerateChunk> response) ->
                response.handler(firstChunk::complete));
    return request;
  }

  @Test
  void cancellingAStreamFreesItsSlotForTheQueuedOne() throws Exception {
    CompletableFuture<GenerateChunk> firstA = new CompletableFuture<>();
    GrpcClientRequest<GenerateRequest, GenerateChunk> a = openStream(firstA);
    firstA.get(10, TimeUnit.SECONDS);
    CompletableFuture<GenerateChunk> firstB = new CompletableFuture<>();
    GrpcClientRequest<GenerateRequest, GenerateChunk> b = openStream(firstB);
    waitUntil(() -> engine.queuedRequests() == 1, "B queued");
    assertTrue(!firstB.isDone());

    int cancelledBefore = engine.cancelledCount();
    a.cancel();
    // B gets the slot and produces its first token within a few decode steps
    firstB.get(2, TimeUnit.SECONDS);
    assertEquals(cancelledBefore + 1, engine.cancelledCount());
    b.cancel();
  }

  @Test
  void fullQueueAnswersResourceExhaustedAnd429() throws Exception {
    CompletableFuture<GenerateChunk> first = new CompletableFuture<>();
    GrpcClientRequest<GenerateRequest, GenerateChunk> running = openStream(first);
    first.get(10, TimeUnit.SECONDS);
    GrpcClientRequest<GenerateRequest, GenerateChunk> queued =
        openStream(new CompletableFuture<>());
    waitUntil(() -> engine.queuedRequests() == 1, "second request queued");

    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      StatusRuntimeException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
              () ->
                  PolicyServiceGrpc.newBlockingStub(channel)
                      .generate(GenerateRequest.newBuilder().setPrompt("one more").build()));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    } finally {
      channel.shutdownNow();
    }

    HttpResponse<String> http =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"and one more\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(429, http.statusCode(), http.body());
    assertEquals("1", http.headers().firstValue("Retry-After").orElse(null));

    running.cancel();
    queued.cancel();
  }

  @Test
  void passedDeadlineCancelsTheGeneration() throws Exception {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    int cancelledBefore = engine.cancelledCount();
    try {
      StatusRuntimeException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              StatusRuntimeException.class,
              () ->
                  PolicyServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(200, TimeUnit.MILLISECONDS)
                      .generate(
                          GenerateRequest.newBuilder()
                              .setPrompt(LONG_PROMPT)
                              .setMaxTokens(500)
                              .build()));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    } finally {
      channel.shutdownNow();
    }
    waitUntil(() -> engine.cancelledCount() == cancelledBefore + 1, "generation cancelled");
  }

  @Test
  void closedHttpConnectionCancelsTheGeneration() throws Exception {
    int cancelledBefore = engine.cancelledCount();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CompletableFuture<HttpResponse<java.io.InputStream>> response =
        http.sendAsync(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"prompt\":\"" + LONG_PROMPT + "\",\"max_tokens\":500,\"stream\":true}"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    java.io.InputStream body = response.get(10, TimeUnit.SECONDS).body();
    assertTrue(body.read() >= 0);
    waitUntil(() -> engine.activeSequences() == 1, "streaming");
    body.close();
    waitUntil(() -> engine.cancelledCount() == cancelledBefore + 1, "generation cancelled");
  }
}
