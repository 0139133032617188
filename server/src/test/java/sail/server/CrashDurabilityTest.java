package sail.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.data.RatedGeneration;
import sail.server.data.TrafficLog;
import sail.server.testing.ServerProcess;
import sail.server.testing.TestServerMain;

/**
 * An acknowledged rating is on disk: the server process is killed without shutdown ({@code
 * destroyForcibly}, SIGKILL) right after the last acknowledgement, and a new process on the same
 * data directory knows every acknowledged rating.
 */
class CrashDurabilityTest {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  ServerProcess launch() throws Exception {
    return ServerProcess.launch(TestServerMain.class, List.of(), dir.toString());
  }

  CompletableFuture<HttpResponse<String>> post(ServerProcess server, String path, String body) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void acknowledgedFeedbackSurvivesSigkill() throws Exception {
    ServerProcess first = launch();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> reply =
          post(first, "/v1/completions", "{\"prompt\":\"prompt " + i + "\",\"n\":4}")
              .get(10, TimeUnit.SECONDS);
      assertEquals(200, reply.statusCode(), reply.body());
      new JsonObject(reply.body())
          .getJsonArray("choices")
          .forEach(c -> ids.add(((JsonObject) c).getString("id")));
    }
    // rate all 40 concurrently; kill the moment the last acknowledgement arrives
    List<CompletableFuture<HttpResponse<String>>> acks = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      String rating = i % 2 == 0 ? "up" : "down";
      acks.add(
          post(
              first,
              "/v1/feedback",
              "{\"id\":\"" + ids.get(i) + "\",\"rating\":\"" + rating + "\"}"));
    }
    for (CompletableFuture<HttpResponse<String>> ack : acks) {
      assertEquals(200, ack.get(10, TimeUnit.SECONDS).statusCode());
    }
    first.kill();

    ServerProcess second = launch();
    try {
      // the restarted server knows every rated generation: repeating a rating replaces it
      for (String id : ids) {
        HttpResponse<String> again =
            post(second, "/v1/feedback", "{\"id\":\"" + id + "\",\"rating\":\"up\"}")
                .get(10, TimeUnit.SECONDS);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(true, new JsonObject(again.body()).getBoolean("replaced"), id);
      }
    } finally {
      second.kill();
    }
    try (TrafficLog log = TrafficLog.open(dir)) {
      Map<String, RatedGeneration> rated =
          log.ratedGenerations(0, 1000).stream()
              .collect(Collectors.toMap(r -> r.generation().id(), r -> r));
      assertEquals(ids.size(), rated.size());
      assertTrue(rated.keySet().containsAll(ids));
    }
  }
}
