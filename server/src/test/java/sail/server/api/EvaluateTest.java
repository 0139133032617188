package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
import sail.server.testing.TinyTrainingServer;
import sail.v1.AdminServiceGrpcClient;
import sail.v1.EvaluateRequest;
import sail.v1.EvaluateResponse;
import sail.v1.PauseTrainingRequest;
import sail.v1.StatusRequest;

/**
 * The Evaluate admin call on a tiny model that has trained and published at least one version: the
 * answer's shape, determinism with a fixed seed, and unknown versions.
 */
class EvaluateTest {
  @TempDir static Path dir;
  static RunningServer server;
  static Vertx vertx;
  static GrpcClient client;
  static SocketAddress address;
  static long served;

  @BeforeAll
  static void start() throws Exception {
    server = TinyTrainingServer.start(dir, Map.of());
    vertx = Vertx.vertx();
    client = GrpcClient.client(vertx);
    address = SocketAddress.inetSocketAddress(server.port(), "127.0.0.1");
    long deadline = System.currentTimeMillis() + 90_000;
    while (admin().status(StatusRequest.getDefaultInstance()).await().getModelVersion() < 1
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    // a paused trainer publishes nothing more, so "the served version" stays one version
    admin().pauseTraining(PauseTrainingRequest.getDefaultInstance()).await();
    Thread.sleep(500);
    served = admin().status(StatusRequest.getDefaultInstance()).await().getModelVersion();
    assertTrue(served >= 1, "the trainer published a version before the tests");
  }

  @AfterAll
  static void stop() {
    client.close().await();
    vertx.close().await();
    server.close();
  }

  static AdminServiceGrpcClient admin() {
    return AdminServiceGrpcClient.create(client, address);
  }

  static EvaluateResponse evaluate(EvaluateRequest request) {
    return admin().evaluate(request).timeout(120, TimeUnit.SECONDS).await();
  }

  static HttpResponse<String> post(String body) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/admin/evaluate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answerCountsEveryPromptWithItsIntervalAndBothSidesFluency() {
    EvaluateResponse r = evaluate(EvaluateRequest.newBuilder().setPrompts(12).setSeed(7).build());

    assertEquals(served, r.getModelVersion(), "no version asked: the served one");
    assertEquals(0, r.getReferenceVersion(), "the version the server started with");
    assertEquals(12, r.getPrompts());
    assertEquals(12, r.getWins() + r.getTies() + r.getLosses());
    assertEquals((r.getWins() + 0.5 * r.getTies()) / 12, r.getWinRate(), 1e-12);
    assertEquals(r.getTies() / 12.0, r.getTieRate(), 1e-12);
    assertTrue(r.getCi95Low() <= r.getWinRate() && r.getWinRate() <= r.getCi95High(), r.toString());
    assertTrue(r.getCi95Low() >= 0 && r.getCi95High() <= 1, r.toString());
    for (var fluency : new sail.v1.Fluency[] {r.getFluency(), r.getReferenceFluency()}) {
      assertTrue(fluency.getRepetitionRate() >= 0 && fluency.getRepetitionRate() <= 1);
      double distinct = fluency.getDistinctWordRatio();
      assertTrue(Double.isNaN(distinct) || distinct > 0 && distinct <= 1, r.toString());
    }
    assertEquals("annotator:positive-sentiment", r.getJudge());
    assertEquals(7, r.getSeed());
    assertTrue(r.getMetricsMap().containsKey("judge.mean_score"), r.toString());
  }

  @Test
  void sameSeedGivesTheSameVerdictAndTheReferenceTiesWithItself() {
    EvaluateRequest request =
        EvaluateRequest.newBuilder().setModelVersion(1).setPrompts(10).setSeed(11).build();
    EvaluateResponse first = evaluate(request);
    assertEquals(1, first.getModelVersion());
    assertEquals(first, evaluate(request), "a fixed seed reproduces the evaluation exactly");

    // both sides draw prompt i's reply with the same seed: equal weights, equal replies
    EvaluateResponse self =
        evaluate(EvaluateRequest.newBuilder().setModelVersion(0).setPrompts(10).build());
    assertEquals(10, self.getTies(), self.toString());
    assertEquals(0.5, self.getWinRate(), 1e-12);
    assertEquals(self.getReferenceFluency(), self.getFluency());
  }

  @Test
  void httpAnswersWithTheSameNumbersAsGrpc() throws Exception {
    HttpResponse<String> response = post("{\"model_version\":1,\"prompts\":6,\"seed\":3}");
    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    EvaluateResponse grpc =
        evaluate(EvaluateRequest.newBuilder().setModelVersion(1).setPrompts(6).setSeed(3).build());
    assertEquals(grpc.getWins(), body.getInteger("wins"));
    assertEquals(grpc.getTies(), body.getInteger("ties"));
    assertEquals(grpc.getLosses(), body.getInteger("losses"));
    assertEquals(grpc.getWinRate(), body.getDouble("win_rate"), 1e-12);
    assertEquals(grpc.getCi95Low(), body.getDouble("ci95_low"), 1e-12);
    assertEquals(grpc.getCi95High(), body.getDouble("ci95_high"), 1e-12);
    assertEquals(grpc.getTieRate(), body.getDouble("tie_rate"), 1e-12);
    assertEquals(6, body.getInteger("prompts"));
    assertEquals(0, body.getLong("reference_version"));
    assertEquals(
        grpc.getFluency().getRepetitionRate(),
        body.getJsonObject("fluency").getDouble("repetition_rate"),
        1e-12);
    assertTrue(body.getJsonObject("reference_fluency").containsKey("distinct_word_ratio"));
  }

  @Test
  void aVersionThatIsNotKeptIsNotFound() throws Exception {
    GrpcClientResponse<EvaluateRequest, EvaluateResponse> response =
        client
            .request(address, AdminServiceGrpcClient.Evaluate)
            .compose(r -> r.send(EvaluateRequest.newBuilder().setModelVersion(999).build()))
            .await();
    try {
      response.last().await();
    } catch (Exception expected) {
      // the status says why
    }
    assertEquals(GrpcStatus.NOT_FOUND, response.status());
    assertTrue(response.statusMessage().contains("999"), response.statusMessage());

    HttpResponse<String> http = post("{\"model_version\":999}");
    assertEquals(404, http.statusCode(), http.body());
    assertTrue(http.body().contains("not kept"), http.body());

    assertEquals(400, post("{\"prompts\":-1}").statusCode());
  }
}
