package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.RunningServer;
import sail.server.testing.EchoGenerator;
import sail.server.testing.RawHttp;
import sail.server.testing.TeeStream;
import sail.server.testing.TestServer;
import sail.v1.AdminServiceGrpcClient;
import sail.v1.CheckpointRequest;
import sail.v1.EvaluateRequest;
import sail.v1.FeedbackRequest;
import sail.v1.GenerateRequest;
import sail.v1.GetModelInfoRequest;
import sail.v1.PauseTrainingRequest;
import sail.v1.PolicyServiceGrpc;
import sail.v1.PolicyServiceGrpcClient;
import sail.v1.PreferRequest;
import sail.v1.PublishRequest;
import sail.v1.Rating;
import sail.v1.ResumeTrainingRequest;
import sail.v1.RollbackRequest;
import sail.v1.StatusRequest;

/**
 * Who may call what, on the real server with API keys: every gRPC method and HTTP route against no
 * key, a user key and an admin key; plus the body limit, browser origins and the log.
 */
class AuthTest {
  static final String USER_KEY = "user-3c9f1a7e5b2d4680";
  static final String ADMIN_KEY = "admin-8e2b6d4f1a3c5079";
  static final String APP_ORIGIN = "https://app.example";

  /** The role a target needs, written out here rather than read from the policy under test. */
  enum Need {
    OPEN,
    USER,
    ADMIN
  }

  enum Caller {
    NONE(null),
    USER(USER_KEY),
    ADMIN(ADMIN_KEY);

    final String key;

    Caller(String key) {
      this.key = key;
    }

    /** The refusal this caller gets for a target that needs {@code need}, or null if allowed. */
    String refusal(Need need) {
      if (need == Need.OPEN || this == ADMIN || (this == USER && need == Need.USER)) {
        return null;
      }
      return this == NONE ? "unauthenticated" : "forbidden";
    }
  }

  @TempDir static Path dir;
  static PrintStream originalErr;
  static ByteArrayOutputStream log = new ByteArrayOutputStream();
  static EchoGenerator engine;
  static RunningServer server;
  static Vertx vertx;
  static GrpcClient grpc;
  static SocketAddress address;
  static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    // everything the server logs from its start on, to check no key ever shows up in it
    originalErr = System.err;
    System.setErr(new PrintStream(new TeeStream(log, originalErr), true));
    engine = new EchoGenerator(8, 32, 2);
    server =
        TestServer.startWithKeys(
            dir,
            engine,
            "# test keys\nuser " + USER_KEY + "\nadmin " + ADMIN_KEY + "\n",
            Map.of("security.cors_origins", APP_ORIGIN, "limits.max_body_bytes", "1024"));
    vertx = Vertx.vertx();
    grpc = GrpcClient.client(vertx);
    address = SocketAddress.inetSocketAddress(server.port(), "127.0.0.1");
  }

  @AfterAll
  static void stop() {
    grpc.close().await();
    vertx.close().await();
    server.close();
    engine.close();
    System.setErr(originalErr);
  }

  // ------------------------------------------------------------------ gRPC

  record Rpc<Req, Resp>(ServiceMethod<Resp, Req> method, Req request, Need need) {}

  static final ServiceMethod<HealthCheckResponse, HealthCheckRequest> HEALTH_CHECK =
      ServiceMethod.client(
          ServiceName.create("grpc.health.v1.Health"),
          "Check",
          GrpcMessageEncoder.encoder(),
          GrpcMessageDecoder.decoder(HealthCheckResponse.newBuilder()));
  static final ServiceMethod<ServerReflectionResponse, ServerReflectionRequest> REFLECTION =
      ServiceMethod.client(
          ServiceName.create("grpc.reflection.v1.ServerReflection"),
          "ServerReflectionInfo",
          GrpcMessageEncoder.encoder(),
          GrpcMessageDecoder.decoder(ServerReflectionResponse.newBuilder()));

  static List<Rpc<?, ?>> rpcs() {
    GenerateRequest generate = GenerateRequest.newBuilder().setPrompt("hi").setMaxTokens(4).build();
    return List.of(
        new Rpc<>(PolicyServiceGrpcClient.Generate, generate, Need.USER),
        new Rpc<>(PolicyServiceGrpcClient.GenerateStream, generate, Need.USER),
        new Rpc<>(
            PolicyServiceGrpcClient.Feedback,
            FeedbackRequest.newBuilder().setGenerationId("gen-none").setRating(Rating.UP).build(),
            Need.USER),
        new Rpc<>(
            PolicyServiceGrpcClient.Prefer,
            PreferRequest.newBuilder().setChosenId("gen-a").setRejectedId("gen-b").build(),
            Need.USER),
        new Rpc<>(
            PolicyServiceGrpcClient.GetModelInfo,
            GetModelInfoRequest.getDefaultInstance(),
            Need.USER),
        new Rpc<>(AdminServiceGrpcClient.Status, StatusRequest.getDefaultInstance(), Need.ADMIN),
        new Rpc<>(
            AdminServiceGrpcClient.PauseTraining,
            PauseTrainingRequest.getDefaultInstance(),
            Need.ADMIN),
        new Rpc<>(
            AdminServiceGrpcClient.ResumeTraining,
            ResumeTrainingRequest.getDefaultInstance(),
            Need.ADMIN),
        new Rpc<>(
            AdminServiceGrpcClient.Checkpoint, CheckpointRequest.getDefaultInstance(), Need.ADMIN),
        new Rpc<>(AdminServiceGrpcClient.Publish, PublishRequest.getDefaultInstance(), Need.ADMIN),
        new Rpc<>(
            AdminServiceGrpcClient.Rollback,
            RollbackRequest.newBuilder().setModelVersion(1).build(),
            Need.ADMIN),
        new Rpc<>(
            AdminServiceGrpcClient.Evaluate, EvaluateRequest.getDefaultInstance(), Need.ADMIN),
        new Rpc<>(HEALTH_CHECK, HealthCheckRequest.getDefaultInstance(), Need.OPEN),
        new Rpc<>(
            REFLECTION,
            ServerReflectionRequest.newBuilder().setListServices("").build(),
            Need.USER));
  }

  record Outcome(GrpcStatus status, String message) {}

  /** Calls {@code rpc} as {@code caller}; returns the final status and message. */
  static <Req, Resp> Outcome call(Rpc<Req, Resp> rpc, Caller caller) {
    GrpcClientResponse<Req, Resp> response =
        grpc.request(address, rpc.method())
            .compose(
                request -> {
                  if (caller.key != null) {
                    request.headers().set("authorization", "Bearer " + caller.key);
                  }
                  return request.send(rpc.request());
                })
            .timeout(10, TimeUnit.SECONDS)
            .await();
    response.handler(message -> {});
    try {
      response.end().timeout(10, TimeUnit.SECONDS).await();
    } catch (Exception failed) {
      // the status says why
    }
    return new Outcome(response.status(), response.statusMessage());
  }

  @Test
  void grpcMatrix() {
    List<String> wrong = new ArrayList<>();
    for (Rpc<?, ?> rpc : rpcs()) {
      for (Caller caller : Caller.values()) {
        Outcome got = call(rpc, caller);
        String refusal = caller.refusal(rpc.need());
        GrpcStatus expected =
            "unauthenticated".equals(refusal)
                ? GrpcStatus.UNAUTHENTICATED
                : GrpcStatus.PERMISSION_DENIED;
        boolean refused =
            got.status() == GrpcStatus.UNAUTHENTICATED
                || got.status() == GrpcStatus.PERMISSION_DENIED;
        if (refusal == null ? refused : got.status() != expected) {
          wrong.add(rpc.method().fullMethodName() + " as " + caller + ": " + got);
        }
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void grpcAllowedCallsReallyWorkAndRefusalsSayWhy() {
    GenerateRequest generate = GenerateRequest.newBuilder().setPrompt("hi").setMaxTokens(4).build();
    Rpc<GenerateRequest, ?> rpc = new Rpc<>(PolicyServiceGrpcClient.Generate, generate, Need.USER);
    assertEquals(GrpcStatus.OK, call(rpc, Caller.USER).status());
    assertEquals(
        GrpcStatus.OK,
        call(
                new Rpc<>(
                    AdminServiceGrpcClient.Status, StatusRequest.getDefaultInstance(), Need.ADMIN),
                Caller.ADMIN)
            .status());
    assertEquals(
        GrpcStatus.OK,
        call(
                new Rpc<>(HEALTH_CHECK, HealthCheckRequest.getDefaultInstance(), Need.OPEN),
                Caller.NONE)
            .status());
    Outcome forbidden =
        call(
            new Rpc<>(
                AdminServiceGrpcClient.PauseTraining,
                PauseTrainingRequest.getDefaultInstance(),
                Need.ADMIN),
            Caller.USER);
    assertEquals(
        "/sail.v1.AdminService/PauseTraining needs a key with role admin; this key has role user",
        forbidden.message());
  }

  /** A stock grpc-java client reads the trailers-only refusal, message included. */
  @Test
  void grpcJavaSeesUnauthenticatedWithItsMessage() throws Exception {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      GenerateRequest request = GenerateRequest.newBuilder().setPrompt("hi").build();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  PolicyServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .generate(request));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
      assertEquals(
          "missing API key: send the header 'authorization: Bearer <key>'",
          e.getStatus().getDescription());

      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + USER_KEY);
      ClientInterceptor withKey = MetadataUtils.newAttachHeadersInterceptor(headers);
      assertEquals(
          1,
          PolicyServiceGrpc.newBlockingStub(channel)
              .withInterceptors(withKey)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .generate(request)
              .getCompletionsCount());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------ HTTP

  record Route(String method, String path, String body, Need need) {}

  static final List<Route> ROUTES =
      List.of(
          new Route("POST", "/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":4}", Need.USER),
          new Route(
              "POST",
              "/v1/chat/completions",
              "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":4}",
              Need.USER),
          new Route("POST", "/v1/feedback", "{\"id\":\"gen-none\",\"rating\":\"up\"}", Need.USER),
          new Route("POST", "/v1/preference", "{}", Need.USER),
          new Route("GET", "/v1/admin/status", null, Need.ADMIN),
          new Route("POST", "/v1/admin/training/pause", "{}", Need.ADMIN),
          new Route("POST", "/v1/admin/training/publish", "{}", Need.ADMIN),
          new Route("POST", "/v1/admin/training/resume", "{}", Need.ADMIN),
          new Route("POST", "/v1/admin/training/checkpoint", "{}", Need.ADMIN),
          new Route("POST", "/v1/admin/rollback", "{\"model_version\":1}", Need.ADMIN),
          new Route("GET", "/metrics", null, Need.ADMIN),
          new Route("GET", "/health/live", null, Need.OPEN),
          new Route("GET", "/health/ready", null, Need.OPEN));

  static HttpResponse<String> send(
      String method, String path, String body, String key, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(java.time.Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> send(Route route, Caller caller) throws Exception {
    return send(route.method(), route.path(), route.body(), caller.key, Map.of());
  }

  @Test
  void httpMatrix() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (Route route : ROUTES) {
      for (Caller caller : Caller.values()) {
        HttpResponse<String> response = send(route, caller);
        String refusal = caller.refusal(route.need());
        int status = response.statusCode();
        boolean ok =
            refusal == null
                ? status != 401 && status != 403
                : status == (refusal.equals("unauthenticated") ? 401 : 403);
        if (!ok) {
          wrong.add(route.method() + " " + route.path() + " as " + caller + ": " + status);
        }
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void httpRefusalsUseTheOpenAiErrorShape() throws Exception {
    HttpResponse<String> missing = send(ROUTES.get(0), Caller.NONE);
    assertEquals(401, missing.statusCode());
    assertEquals("Bearer", missing.headers().firstValue("WWW-Authenticate").orElse(null));
    JsonObject error = new JsonObject(missing.body()).getJsonObject("error");
    assertEquals("authentication_error", error.getString("type"));
    assertTrue(error.getString("message").contains("Bearer <key>"), error.encode());

    HttpResponse<String> wrongKey =
        send("POST", "/v1/completions", "{\"prompt\":\"x\"}", "user-0000000000000000", Map.of());
    assertEquals(401, wrongKey.statusCode());
    assertEquals(
        "unknown API key",
        new JsonObject(wrongKey.body()).getJsonObject("error").getString("message"));

    HttpResponse<String> forbidden = send("GET", "/metrics", null, USER_KEY, Map.of());
    assertEquals(403, forbidden.statusCode());
    assertEquals(
        "permission_error",
        new JsonObject(forbidden.body()).getJsonObject("error").getString("type"));

    HttpResponse<String> generated = send(ROUTES.get(0), Caller.USER);
    assertEquals(200, generated.statusCode(), generated.body());
    HttpResponse<String> metrics = send("GET", "/metrics", null, ADMIN_KEY, Map.of());
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("sail_requests_rejected_total"), "refusals are counted");
  }

  @Test
  void oversizeBodyIs413OnlyForAnAuthenticatedCaller() throws Exception {
    String big = "{\"prompt\":\"" + "x".repeat(2000) + "\"}";
    HttpResponse<String> tooBig = send("POST", "/v1/completions", big, USER_KEY, Map.of());
    assertEquals(413, tooBig.statusCode());
    assertEquals(
        "request_too_large",
        new JsonObject(tooBig.body()).getJsonObject("error").getString("type"));
    // without a key the body is never parsed
    assertEquals(401, send("POST", "/v1/completions", big, null, Map.of()).statusCode());
    // and a large refused upload leaves the kept-alive connection usable
    String huge = "{\"prompt\":\"" + "x".repeat(3 << 20) + "\"}";
    for (int i = 0; i < 3; i++) {
      assertEquals(401, send("POST", "/v1/completions", huge, null, Map.of()).statusCode());
      assertEquals(200, send(ROUTES.get(0), Caller.USER).statusCode());
    }
  }

  /** Paths that a naive prefix check would misread still need the admin key. */
  @Test
  void oddPathsCannotSneakPastThePolicy() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String path :
        List.of(
            "/v1/admin/status",
            "//v1/admin/status",
            "/v1//admin/status",
            "/v1/./admin/status",
            "/v1/x/../admin/status",
            "/health/../v1/admin/status",
            "/v1/admin/status/",
            "/v1/%61dmin/status",
            "/metrics/",
            "/health/../metrics")) {
      String host = "127.0.0.1:" + server.port();
      int anonymous = RawHttp.get(server.port(), path, host, null);
      int user = RawHttp.get(server.port(), path, host, "Bearer " + USER_KEY);
      if ((anonymous != 401 && anonymous != 404) || (user != 403 && user != 404)) {
        wrong.add(path + ": no key " + anonymous + ", user key " + user);
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    assertEquals(
        200,
        RawHttp.get(server.port(), "/v1/x/../admin/status", "localhost", "Bearer " + ADMIN_KEY));
  }

  @Test
  void browserOrigins() throws Exception {
    String body = ROUTES.get(0).body();
    // another site's page: refused before anything runs, even with a valid key
    HttpResponse<String> evil =
        send("POST", "/v1/completions", body, USER_KEY, Map.of("Origin", "https://evil.example"));
    assertEquals(403, evil.statusCode());
    assertTrue(evil.body().contains("security.cors_origins"), evil.body());
    // the server's own page
    HttpResponse<String> own =
        send(
            "POST",
            "/v1/completions",
            body,
            USER_KEY,
            Map.of("Origin", "http://127.0.0.1:" + server.port()));
    assertEquals(200, own.statusCode(), own.body());
    assertTrue(own.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    // a configured origin: preflight answered without a key, then CORS headers on the reply
    HttpResponse<String> preflight =
        send(
            "OPTIONS",
            "/v1/completions",
            null,
            null,
            Map.of(
                "Origin", APP_ORIGIN,
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization,content-type"));
    assertEquals(204, preflight.statusCode());
    assertEquals(APP_ORIGIN, preflight.headers().firstValue("Access-Control-Allow-Origin").get());
    assertTrue(
        preflight
            .headers()
            .firstValue("Access-Control-Allow-Headers")
            .get()
            .contains("authorization"));
    HttpResponse<String> app =
        send("POST", "/v1/completions", body, USER_KEY, Map.of("Origin", APP_ORIGIN));
    assertEquals(200, app.statusCode(), app.body());
    assertEquals(APP_ORIGIN, app.headers().firstValue("Access-Control-Allow-Origin").get());
    HttpResponse<String> appNoKey =
        send("POST", "/v1/completions", body, null, Map.of("Origin", APP_ORIGIN));
    assertEquals(401, appNoKey.statusCode());
    assertEquals(APP_ORIGIN, appNoKey.headers().firstValue("Access-Control-Allow-Origin").get());
  }

  @Test
  void keysNeverReachTheLog() throws Exception {
    // traffic that could tempt a logger: refusals, an unknown key, successes
    send("POST", "/v1/completions", "{\"prompt\":\"x\"}", ADMIN_KEY + "0", Map.of());
    send(ROUTES.get(0), Caller.USER);
    send("GET", "/v1/admin/status", null, ADMIN_KEY, Map.of());
    call(
        new Rpc<>(AdminServiceGrpcClient.Status, StatusRequest.getDefaultInstance(), Need.ADMIN),
        Caller.USER);
    System.err.flush();
    String logged = log.toString();
    // the capture works: the start-up line about access control is in it
    assertTrue(logged.contains("access control: ApiKeys[1 admin, 1 user]"), logged);
    assertFalse(logged.contains(USER_KEY), "user key logged");
    assertFalse(logged.contains(ADMIN_KEY), "admin key logged");
  }
}
