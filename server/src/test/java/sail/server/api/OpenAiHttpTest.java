package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.RunningServer;
import sail.server.data.GenerationIds;
import sail.server.testing.EchoGenerator;
import sail.server.testing.TestServer;

/** The OpenAI-style HTTP API through the JDK's plain HTTP client, on the same port as gRPC. */
class OpenAiHttpTest {
  @TempDir static Path dir;
  static EchoGenerator engine;
  static RunningServer server;
  static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    engine = new EchoGenerator(8, 32, 2);
    server = TestServer.start(dir, engine);
  }

  @AfterAll
  static void stop() {
    server.close();
    engine.close();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject ok(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  static void assertError(HttpResponse<String> response, int status, String param) {
    assertEquals(status, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    if (param != null) {
      assertEquals(param, error.getString("param"), response.body());
      assertTrue(error.getString("message").startsWith(param), error.getString("message"));
    }
  }

  @Test
  void completion() throws Exception {
    JsonObject reply =
        ok(post("/v1/completions", "{\"prompt\":\"hi there\",\"seed\":3,\"max_tokens\":10}"));
    JsonObject choice = reply.getJsonArray("choices").getJsonObject(0);
    assertEquals(EchoGenerator.replyTo("hi there", 3), choice.getString("text"));
    assertEquals("stop", choice.getString("finish_reason"));
    assertEquals(1, choice.getLong("model_version"));
    assertTrue(GenerationIds.looksValid(choice.getString("id")));
    assertEquals(choice.getString("id"), reply.getString("id"));
    assertEquals("text_completion", reply.getString("object"));
    assertEquals(1, reply.getLong("model_version"));
    assertEquals(4, reply.getJsonObject("usage").getInteger("completion_tokens"));
  }

  @Test
  void chatWithTwoCandidates() throws Exception {
    JsonObject reply =
        ok(
            post(
                "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"system\",\"content\":\"short\"},"
                    + "{\"role\":\"user\",\"content\":\"tell me\"}],\"n\":2,\"seed\":10,"
                    + "\"temperature\":0.8,\"top_p\":0.9,\"stop\":[\"zzz\"],\"logprobs\":true}"));
    JsonArray choices = reply.getJsonArray("choices");
    assertEquals(2, choices.size());
    JsonObject first = choices.getJsonObject(0);
    assertEquals("assistant", first.getJsonObject("message").getString("role"));
    assertEquals(
        EchoGenerator.replyTo("tell me", 10), first.getJsonObject("message").getString("content"));
    assertEquals(
        EchoGenerator.replyTo("tell me", 11),
        choices.getJsonObject(1).getJsonObject("message").getString("content"));
    assertNotEquals(first.getString("id"), choices.getJsonObject(1).getString("id"));
    assertEquals(4, first.getJsonObject("logprobs").getJsonArray("token_logprobs").size());
  }

  @Test
  void streamingAsServerSentEvents() throws Exception {
    HttpResponse<String> response =
        post(
            "/v1/chat/completions",
            "{\"messages\":[{\"role\":\"user\",\"content\":\"a b c\"}],\"stream\":true,\"seed\":1}");
    assertEquals(200, response.statusCode());
    assertTrue(
        response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    List<String> events = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("data: ")) {
        events.add(line.substring(6));
      }
    }
    assertEquals("[DONE]", events.get(events.size() - 1));
    StringBuilder text = new StringBuilder();
    JsonObject last = null;
    for (String event : events.subList(0, events.size() - 1)) {
      JsonObject chunk = new JsonObject(event);
      assertEquals("chat.completion.chunk", chunk.getString("object"));
      JsonObject choice = chunk.getJsonArray("choices").getJsonObject(0);
      String content = choice.getJsonObject("delta").getString("content");
      if (content != null) {
        text.append(content);
      }
      last = choice;
    }
    assertEquals(EchoGenerator.replyTo("a b c", 1), text.toString());
    assertEquals("stop", last.getString("finish_reason"));
    assertEquals(1, last.getLong("model_version"));
    assertTrue(GenerationIds.looksValid(last.getString("id")));
  }

  @Test
  void feedbackAndPreference() throws Exception {
    JsonArray choices =
        ok(post("/v1/completions", "{\"prompt\":\"pick one\",\"n\":2}")).getJsonArray("choices");
    String a = choices.getJsonObject(0).getString("id");
    String b = choices.getJsonObject(1).getString("id");

    JsonObject first =
        ok(post("/v1/feedback", "{\"id\":\"" + a + "\",\"rating\":\"up\",\"client_id\":\"u1\"}"));
    assertEquals(false, first.getBoolean("replaced"));
    JsonObject again =
        ok(
            post(
                "/v1/feedback",
                "{\"id\":\""
                    + a
                    + "\",\"rating\":\"down\",\"comment\":\"no\",\"client_id\":\"u1\"}"));
    assertEquals(true, again.getBoolean("replaced"));
    assertError(
        post("/v1/feedback", "{\"id\":\"" + GenerationIds.next() + "\",\"rating\":\"up\"}"),
        404,
        null);
    assertError(
        post("/v1/feedback", "{\"id\":\"" + a + "\",\"rating\":\"sideways\"}"), 400, "rating");
    assertError(post("/v1/feedback", "{\"rating\":\"up\"}"), 400, "id");

    ok(post("/v1/preference", "{\"chosen\":\"" + b + "\",\"rejected\":\"" + a + "\"}"));
    String other = ok(post("/v1/completions", "{\"prompt\":\"something else\"}")).getString("id");
    assertError(
        post("/v1/preference", "{\"chosen\":\"" + a + "\",\"rejected\":\"" + other + "\"}"),
        400,
        "rejected");
    assertError(
        post(
            "/v1/preference",
            "{\"chosen\":\"" + a + "\",\"rejected\":\"" + GenerationIds.next() + "\"}"),
        404,
        null);
  }

  @Test
  void validationErrorsNameTheField() throws Exception {
    assertError(post("/v1/completions", "{\"prompt\": \"unterminated"), 400, "body");
    assertError(post("/v1/completions", "[1,2]"), 400, "body");
    assertError(post("/v1/completions", "{\"prompt\":\"\"}"), 400, "prompt");
    assertError(post("/v1/completions", "{}"), 400, "prompt");
    assertError(post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":0}"), 400, "max_tokens");
    assertError(
        post("/v1/completions", "{\"prompt\":\"hi\",\"max_tokens\":\"many\"}"), 400, "max_tokens");
    assertError(
        post("/v1/completions", "{\"prompt\":\"hi\",\"temperature\":-1}"), 400, "temperature");
    assertError(post("/v1/completions", "{\"prompt\":\"hi\",\"top_p\":1.5}"), 400, "top_p");
    assertError(post("/v1/completions", "{\"prompt\":\"hi\",\"n\":0}"), 400, "n");
    assertError(post("/v1/chat/completions", "{\"messages\":[]}"), 400, "messages");
    assertError(
        post("/v1/chat/completions", "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}"),
        400,
        "messages[0].role");
    assertEquals(200, post("/v1/completions", "{\"prompt\":\"still serving\"}").statusCode());
  }

  @Test
  void noLogLeavesNoRow() throws Exception {
    String id =
        ok(post("/v1/completions", "{\"prompt\":\"secret\",\"no_log\":true}")).getString("id");
    server.trafficLog().flush().get(10, TimeUnit.SECONDS);
    assertTrue(server.trafficLog().findGeneration(id).isEmpty());
    assertError(post("/v1/feedback", "{\"id\":\"" + id + "\",\"rating\":\"up\"}"), 404, null);
  }

  @Test
  void healthAndMetrics() throws Exception {
    assertEquals(200, get("/health/live").statusCode());
    HttpResponse<String> ready = get("/health/ready");
    assertEquals(200, ready.statusCode());
    assertEquals("ready", new JsonObject(ready.body()).getString("status"));
    ok(post("/v1/completions", "{\"prompt\":\"count me\"}"));
    String metrics = get("/metrics").body();
    assertTrue(metrics.contains("sail_generations_total"), metrics);
    assertTrue(metrics.contains("sail_engine_active"), metrics);
  }
}
