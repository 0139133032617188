package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.RunningServer;
import sail.server.ServerMain;
import sail.server.config.ConfigLoader;
import sail.server.model.GptLanguageModel;
import sail.server.model.ModelLoader;
import sail.server.model.TinyModels;
import sail.server.model.WeightSnapshot;

/**
 * The composition root with the real DJL engine (the same factory `serve` uses) on a tiny
 * checkpoint: generation, streaming and feedback end to end.
 */
class RealEngineServerTest {
  @TempDir static Path dir;
  static RunningServer server;
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    Path checkpoint = dir.resolve("tiny");
    try (GptLanguageModel model = TinyModels.create()) {
      WeightSnapshot weights = WeightSnapshot.copyOf(model.block(), Device.cpu());
      ModelLoader.save(checkpoint, model, weights, 5, -1, Map.of(), null);
      weights.release();
    }
    Map<String, String> keys = new HashMap<>();
    keys.put("http.port", "0");
    keys.put("data_dir", dir.resolve("data").toString());
    keys.put("engine.checkpoint", checkpoint.toString());
    keys.put("engine.max_batch", "4");
    keys.put("train", "false");
    server = ServerMain.start(ConfigLoader.load(null, keys), ServerMain.ENGINE);
    server.engineLoaded().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void completionIsProducedByTheCheckpointsVersionAndCanBeRated() throws Exception {
    HttpResponse<String> response =
        post(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],"
                + "\"max_tokens\":12,\"seed\":3,\"n\":2}");
    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals(5, body.getLong("model_version"));
    assertEquals(2, body.getJsonArray("choices").size());
    String id = body.getJsonArray("choices").getJsonObject(0).getString("id");

    HttpResponse<String> feedback =
        post("/v1/feedback", "{\"id\":\"" + id + "\",\"rating\":\"up\"}");
    assertEquals(200, feedback.statusCode(), feedback.body());
  }

  @Test
  void sameSeedGivesTheSameReplyThroughTheApi() throws Exception {
    String request =
        "{\"prompt\":\"Good morning\",\"max_tokens\":16,\"seed\":11,\"temperature\":1.0}";
    String first =
        new JsonObject(post("/v1/completions", request).body())
            .getJsonArray("choices")
            .getJsonObject(0)
            .getString("text");
    String second =
        new JsonObject(post("/v1/completions", request).body())
            .getJsonArray("choices")
            .getJsonObject(0)
            .getString("text");
    assertEquals(first, second);
  }

  @Test
  void streamingDeliversServerSentEventsEndingWithDone() throws Exception {
    HttpResponse<String> response =
        post(
            "/v1/completions",
            "{\"prompt\":\"Tell me\",\"max_tokens\":10,\"stream\":true,\"seed\":1}");
    assertEquals(200, response.statusCode());
    assertTrue(response.body().contains("data: "), response.body());
    assertTrue(response.body().strip().endsWith("data: [DONE]"), response.body());
  }
}
