package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import sail.server.testing.EchoServerExtension;

/** The chat page, the dashboard and their assets over plain HTTP, and the dashboard's history. */
class WebPageTest {
  @RegisterExtension static final EchoServerExtension echo = new EchoServerExtension();

  static HttpResponse<String> get(String path) throws Exception {
    return echo.http().get(path);
  }

  static String contentType(HttpResponse<String> response) {
    return response.headers().firstValue("content-type").orElse("");
  }

  /** The page at {@code path}, checked to be HTML. */
  static String page(String path) throws Exception {
    HttpResponse<String> response = get(path);
    assertEquals(200, response.statusCode(), path);
    assertTrue(contentType(response).startsWith("text/html"), path + ": " + contentType(response));
    return response.body();
  }

  /** Every local script and stylesheet the page links must load with a fitting content type. */
  static void assertAssetsLoad(String html) throws Exception {
    Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+\\.(js|css))\"").matcher(html);
    List<String> assets = new ArrayList<>();
    while (m.find()) {
      String path = "/" + m.group(1);
      assets.add(path);
      HttpResponse<String> response = get(path);
      assertEquals(200, response.statusCode(), path);
      String expected = m.group(2).equals("js") ? "javascript" : "text/css";
      assertTrue(contentType(response).contains(expected), path + ": " + contentType(response));
      assertFalse(response.body().isBlank(), path + " is empty");
    }
    assertFalse(assets.isEmpty(), "the page links no assets");
  }

  @Test
  void chatPageAtTheRootLoadsItsAssets() throws Exception {
    String html = page("/");
    assertTrue(html.contains("id=\"conversation\""), html);
    assertTrue(html.contains("id=\"compare\""), html);
    assertTrue(html.contains("src=\"chat.js\""), html);
    assertAssetsLoad(html);
    assertEquals(html, page("/index.html"));
  }

  @Test
  void dashboardLoadsItsAssetsAndTheBundledChartLibrary() throws Exception {
    String html = page("/dashboard");
    assertTrue(html.contains("<title>SAIL dashboard</title>"), html);
    assertTrue(html.contains("vendor/uplot/uPlot.iife.min.js"), html);
    assertAssetsLoad(html);
    // the vendored library travels with its licence
    HttpResponse<String> licence = get("/vendor/uplot/LICENSE");
    assertEquals(200, licence.statusCode());
    assertTrue(licence.body().contains("MIT"), licence.body());
  }

  @Test
  void unknownPathsAreNotFoundAndApiRoutesStillAnswer() throws Exception {
    assertEquals(404, get("/no-such-page.html").statusCode());
    assertEquals(200, get("/health/live").statusCode());
    assertTrue(get("/metrics").body().contains("sail_generated_tokens_total"));
    assertEquals(200, get("/v1/admin/status").statusCode());
  }

  @Test
  void dashboardHistoryRecordsServingOncePerSecond() throws Exception {
    JsonObject first = new JsonObject(get("/v1/admin/dashboard").body());
    assertEquals(WebRoutes.SAMPLE_MILLIS, first.getLong("sample_interval_ms"));
    assertEquals(WebRoutes.SAMPLE_CAPACITY, first.getInteger("capacity"));
    long seen = first.getLong("last_seq");

    HttpResponse<String> reply =
        echo.http().postJson("/v1/completions", "{\"prompt\":\"one two\",\"n\":2}");
    assertEquals(200, reply.statusCode(), reply.body());

    // the replies fall into a period that ends within a second; wait up to five
    JsonObject busy = null;
    long deadline = System.currentTimeMillis() + 5000;
    while (busy == null && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      JsonObject history = new JsonObject(get("/v1/admin/dashboard?after=" + seen).body());
      for (Object o : history.getJsonArray("samples")) {
        JsonObject sample = (JsonObject) o;
        assertTrue(sample.getLong("seq") > seen, "only new samples: " + sample);
        if (sample.getDouble("generations_per_s") > 0) {
          busy = sample;
        }
      }
    }
    assertTrue(busy != null, "no sample saw the two replies");
    assertTrue(busy.getDouble("tokens_per_s") > 0, busy.encode());
    assertTrue(busy.getDouble("latency_mean_ms") > 0, busy.encode());
    assertTrue(busy.getDouble("latency_p95_ms") >= busy.getDouble("ttft_mean_ms"), busy.encode());
    assertEquals(1, busy.getLong("model_version"));
    // training is off here: no trainer state, no step reports, no publishes
    assertNull(busy.getString("training_state"));
    assertFalse(busy.containsKey("step_report"));
    JsonArray publishes =
        new JsonObject(get("/v1/admin/dashboard").body()).getJsonArray("publishes");
    assertTrue(publishes.isEmpty(), publishes.encode());
  }

  @Test
  void quietPeriodsHaveNoLatency() throws Exception {
    // nothing is generated meanwhile, so at least one whole period is quiet
    Thread.sleep(WebRoutes.SAMPLE_MILLIS * 2 + 200);
    JsonArray samples = new JsonObject(get("/v1/admin/dashboard").body()).getJsonArray("samples");
    boolean sawQuiet = false;
    for (Object o : samples) {
      JsonObject sample = (JsonObject) o;
      if (sample.getDouble("generations_per_s") == 0) {
        sawQuiet = true;
        assertNull(sample.getValue("latency_mean_ms"), sample.encode());
        assertNull(sample.getValue("latency_p95_ms"), sample.encode());
      }
    }
    assertTrue(sawQuiet, samples.encode());
  }

  @Test
  void badAfterIsAnInvalidArgument() throws Exception {
    HttpResponse<String> response = get("/v1/admin/dashboard?after=yesterday");
    assertEquals(400, response.statusCode());
    assertEquals(
        "after", new JsonObject(response.body()).getJsonObject("error").getString("param"));
  }
}
