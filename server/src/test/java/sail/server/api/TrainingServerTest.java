package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.RunningServer;
import sail.server.testing.TinyModelServer;
import sail.v1.AdminServiceGrpcClient;
import sail.v1.PauseTrainingRequest;
import sail.v1.PublishRequest;
import sail.v1.PublishResponse;
import sail.v1.ResumeTrainingRequest;
import sail.v1.RollbackRequest;
import sail.v1.StatusRequest;
import sail.v1.StatusResponse;
import sail.v1.TrainingState;

/** The server with online training on: the trainer steps, publishes and obeys admin RPCs. */
class TrainingServerTest {
  @TempDir static Path dir;
  static RunningServer server;
  static Vertx vertx;
  static GrpcClient client;
  static SocketAddress address;

  @BeforeAll
  static void start() throws Exception {
    server = TinyModelServer.start(dir, TinyModelServer.trainingKeys(dir));
    vertx = Vertx.vertx();
    client = GrpcClient.client(vertx);
    address = SocketAddress.inetSocketAddress(server.port(), "127.0.0.1");
  }

  @AfterAll
  static void stop() {
    client.close().await();
    vertx.close().await();
    server.close();
  }

  static StatusResponse status() {
    return AdminServiceGrpcClient.create(client, address)
        .status(StatusRequest.getDefaultInstance())
        .timeout(10, TimeUnit.SECONDS)
        .await();
  }

  static <Req, Resp> GrpcStatus callStatus(ServiceMethod<Resp, Req> method, Req request) {
    GrpcClientResponse<Req, Resp> response =
        client
            .request(address, method)
            .compose(r -> r.send(request))
            .timeout(30, TimeUnit.SECONDS)
            .await();
    try {
      response.last().timeout(30, TimeUnit.SECONDS).await();
      return GrpcStatus.OK;
    } catch (Exception e) {
      return response.status();
    }
  }

  @Test
  void trainerStepsPublishesAndCanBePausedAndRolledBack() throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    StatusResponse s = status();
    while (s.getTraining().getPublishedVersion() < 1 && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      s = status();
    }
    assertTrue(s.hasTraining(), "status reports training");
    assertTrue(s.getTraining().getStep() >= 2, "trainer took steps: " + s.getTraining());
    assertTrue(s.getTraining().getPublishedVersion() >= 1, "a version was published");
    assertTrue(s.getModelVersion() >= 1, "new requests are served by the published version");
    // plain DPO has no DPR rows, so the server learns no reward model
    assertFalse(s.getTraining().hasRewardModel(), "no reward model: " + s.getTraining());

    TrainingState paused =
        AdminServiceGrpcClient.create(client, address)
            .pauseTraining(PauseTrainingRequest.getDefaultInstance())
            .timeout(10, TimeUnit.SECONDS)
            .await();
    assertEquals("PAUSED", paused.getState());
    // the answer comes once a step that was running has finished: nothing changes after it
    long published = status().getTraining().getPublishedVersion();
    Thread.sleep(1000);
    assertEquals(paused.getStep(), status().getTraining().getStep(), "a paused trainer stops");
    assertEquals(published, status().getTraining().getPublishedVersion());

    // an operator's publish: the live weights, guards first, while the trainer stays paused
    PublishResponse first =
        AdminServiceGrpcClient.create(client, address)
            .publish(PublishRequest.getDefaultInstance())
            .timeout(60, TimeUnit.SECONDS)
            .await();
    if (first.getPublished()) {
      assertEquals(published + 1, first.getModelVersion(), first.toString());
      assertTrue(first.getGuardsList().stream().allMatch(g -> g.getPassed()), first.toString());
      assertEquals("", first.getDetail());
    } else {
      assertEquals(published, first.getModelVersion());
      assertFalse(first.getDetail().isEmpty(), "says why not: " + first);
    }
    assertEquals(paused.getStep(), first.getStep(), "publishing takes no step");
    assertEquals("PAUSED", status().getTraining().getState());
    // nothing was trained since: the second attempt has nothing to publish
    PublishResponse second =
        AdminServiceGrpcClient.create(client, address)
            .publish(PublishRequest.getDefaultInstance())
            .timeout(60, TimeUnit.SECONDS)
            .await();
    assertFalse(second.getPublished());
    assertEquals(first.getModelVersion(), second.getModelVersion());
    assertEquals(0, second.getGuardsCount(), "no attempt, no guards: " + second);
    assertTrue(second.getDetail().contains("no training step since version"), second.getDetail());

    assertEquals(
        GrpcStatus.NOT_FOUND,
        callStatus(
            AdminServiceGrpcClient.Rollback,
            RollbackRequest.newBuilder().setModelVersion(999).build()));
    // the same over HTTP
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + server.port();
    var httpStatus =
        http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/admin/status"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, httpStatus.statusCode());
    io.vertx.core.json.JsonObject training =
        new io.vertx.core.json.JsonObject(httpStatus.body()).getJsonObject("training");
    assertEquals("PAUSED", training.getString("state"));
    assertFalse(training.containsKey("reward_model"), training.encode());
    var badRollback = postJson(http, base + "/v1/admin/rollback", "{\"model_version\":77}");
    assertEquals(404, badRollback.statusCode(), badRollback.body());
    var httpPublish = postJson(http, base + "/v1/admin/training/publish", "{}");
    assertEquals(200, httpPublish.statusCode(), httpPublish.body());
    io.vertx.core.json.JsonObject publishJson =
        new io.vertx.core.json.JsonObject(httpPublish.body());
    assertFalse(publishJson.getBoolean("published"));
    assertEquals(second.getModelVersion(), publishJson.getLong("model_version"));
    assertTrue(publishJson.getJsonArray("guards").isEmpty());
    assertTrue(publishJson.getString("detail").contains("nothing new"), publishJson.encode());

    TrainingState resumed =
        AdminServiceGrpcClient.create(client, address)
            .resumeTraining(ResumeTrainingRequest.getDefaultInstance())
            .timeout(10, TimeUnit.SECONDS)
            .await();
    assertTrue(resumed.getRunning());
  }

  private static java.net.http.HttpResponse<String> postJson(
      java.net.http.HttpClient http, String url, String json) throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }
}
