package sail.loadtest.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
  static JsonObject window(double t, double rps, Double score, Long version) {
    JsonObject latency = new JsonObject().put("p50", 10.0).put("p99", 30.0);
    return new JsonObject()
        .put("t_s", t)
        .put("throughput_rps", rps)
        .put("errors", 0L)
        .put("latency_ms", latency)
        .put("mean_score", score)
        .put("model_version", version);
  }

  @Test
  void drawsOnePlotPerSeriesWithoutScriptsOrRemoteResources() {
    JsonObject report =
        new JsonObject()
            .put("target", "127.0.0.1:1 <x>")
            .put("requests", 10L)
            .put("windows", new JsonArray().add(window(0, 2, 0.3, 0L)).add(window(10, 3, 0.4, 1L)));
    String html = HtmlReport.render("report & test", report);
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertEquals(6, html.split("<svg ", -1).length - 1, "six plots");
    assertTrue(html.contains("report &amp; test"));
    assertTrue(html.contains("127.0.0.1:1 &lt;x&gt;"));
    assertFalse(html.contains("<script"));
    assertFalse(html.contains("http://") || html.contains("https://"));
  }

  @Test
  void seriesWithoutValuesSayNoData() {
    JsonObject report =
        new JsonObject().put("windows", new JsonArray().add(window(0, 2, null, null)));
    String html = HtmlReport.render("r", report);
    assertEquals(2, html.split("no data", -1).length - 1, "score and version have no data");
  }
}
