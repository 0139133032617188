package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.RunningServer;
import sail.server.testing.EchoGenerator;
import sail.server.testing.TestServer;
import sail.v1.GetModelInfoRequest;
import sail.v1.ModelInfo;
import sail.v1.PolicyServiceGrpcClient;

/**
 * Per-key rate limits on the real server: a burst of 2 and a refill far slower than the test, so
 * the third request of a key is refused on either protocol while another key is untouched.
 */
class RateLimitTest {
  static final String HTTP_KEY = "user-http-0123456789ab";
  static final String GRPC_KEY = "user-grpc-0123456789ab";
  static final String OTHER_KEY = "user-other-0123456789a";
  @TempDir static Path dir;
  static EchoGenerator engine;
  static RunningServer server;
  static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    engine = new EchoGenerator(4, 16, 2);
    server =
        TestServer.startWithKeys(
            dir,
            engine,
            "user " + HTTP_KEY + "\nuser " + GRPC_KEY + "\nuser " + OTHER_KEY + "\n",
            Map.of(
                "security.rate_limit_rps", "0.01",
                "security.rate_limit_burst", "2"));
  }

  @AfterAll
  static void stop() {
    server.close();
    engine.close();
  }

  static HttpResponse<String> post(String key) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"hi\",\"max_tokens\":2}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void httpAnswers429WithRetryAfter() throws Exception {
    assertEquals(200, post(HTTP_KEY).statusCode());
    assertEquals(200, post(HTTP_KEY).statusCode());
    HttpResponse<String> limited = post(HTTP_KEY);
    assertEquals(429, limited.statusCode());
    // one token per 100 s, so the wait is close to that
    int retryAfter = Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter > 90 && retryAfter <= 100, "Retry-After " + retryAfter);
    assertTrue(limited.body().contains("rate_limit_error"), limited.body());
    // other keys and the health probes are not affected
    assertEquals(200, post(OTHER_KEY).statusCode());
    for (int i = 0; i < 5; i++) {
      assertEquals(
          200,
          http.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port() + "/health/live"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode());
    }
  }

  @Test
  void grpcAnswersResourceExhaustedWithRetryAfter() {
    Vertx vertx = Vertx.vertx();
    GrpcClient grpc = GrpcClient.client(vertx);
    try {
      SocketAddress address = SocketAddress.inetSocketAddress(server.port(), "127.0.0.1");
      GrpcStatus[] statuses = new GrpcStatus[3];
      String retryAfter = null;
      for (int i = 0; i < 3; i++) {
        GrpcClientResponse<sail.v1.GetModelInfoRequest, ModelInfo> response =
            grpc.request(address, PolicyServiceGrpcClient.GetModelInfo)
                .compose(
                    request -> {
                      request.headers().set("authorization", "Bearer " + GRPC_KEY);
                      return request.send(GetModelInfoRequest.getDefaultInstance());
                    })
                .timeout(10, TimeUnit.SECONDS)
                .await();
        try {
          response.last().timeout(10, TimeUnit.SECONDS).await();
        } catch (Exception refused) {
          retryAfter = response.headers().get("retry-after");
        }
        statuses[i] = response.status();
      }
      assertEquals(GrpcStatus.OK, statuses[0]);
      assertEquals(GrpcStatus.OK, statuses[1]);
      assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, statuses[2]);
      assertTrue(Integer.parseInt(retryAfter) > 90, retryAfter);
    } finally {
      grpc.close().await();
      vertx.close().await();
    }
  }
}
