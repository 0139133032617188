package sail.loadtest.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import sail.loadtest.LoadPlan;
import sail.loadtest.LoadReport;
import sail.loadtest.run.RunResult;

/** The report's schema and arithmetic on hand-made outcomes. */
class LoadReportTest {
  static final long MS = 1_000_000;

  static JsonObject report() {
    RunStats stats = new RunStats(Duration.ofSeconds(1));
    // 100 replies of 1..100 ms, 10 tokens each, all in the first second but the last ten
    for (int i = 1; i <= 100; i++) {
      long end = (i <= 90 ? 500 : 1500) * MS;
      stats.record(end, new Outcome.Success(i * MS, i * MS / 2, 10, i <= 95 ? 3 : 4));
    }
    stats.record(100 * MS, new Outcome.Refused());
    stats.record(200 * MS, new Outcome.Failed("INTERNAL", "boom"));
    stats.record(300 * MS, new Outcome.Failed("DEADLINE_EXCEEDED", "slow"));
    stats.record(400 * MS, new Outcome.Failed("INTERNAL", "boom"));
    LoadPlan plan = LoadPlan.of("127.0.0.1:1", Duration.ofSeconds(2), 4);
    return LoadReport.toJson(plan, new RunResult(stats, 2.0, 0));
  }

  @Test
  void everyKeyIsPresent() {
    JsonObject r = report();
    for (String key :
        List.of(
            "requests",
            "errors",
            "errors_by_status",
            "overload_refusals",
            "throughput_rps",
            "tokens_per_s",
            "latency_ms",
            "ttft_ms",
            "completion_tokens",
            "concurrency",
            "duration_s",
            "stream",
            "max_tokens",
            "model_versions",
            "windows",
            "unfinished")) {
      assertTrue(r.containsKey(key), "report lacks " + key + ": " + r.encode());
    }
    for (String histogram : List.of("latency_ms", "ttft_ms", "completion_tokens")) {
      JsonObject h = r.getJsonObject(histogram);
      for (String key : List.of("p50", "p90", "p99", "mean", "max")) {
        assertTrue(h.containsKey(key), histogram + " lacks " + key);
      }
    }
  }

  @Test
  void countsRatesAndErrorsByStatus() {
    JsonObject r = report();
    assertEquals(104, r.getLong("requests"));
    assertEquals(100, r.getLong("succeeded"));
    assertEquals(3, r.getLong("errors"));
    assertEquals(1, r.getLong("overload_refusals"));
    assertEquals(
        new JsonObject().put("DEADLINE_EXCEEDED", 1).put("INTERNAL", 2),
        r.getJsonObject("errors_by_status"));
    assertEquals(50.0, r.getDouble("throughput_rps"), 1e-9);
    assertEquals(500.0, r.getDouble("tokens_per_s"), 1e-9);
    assertEquals(4, r.getInteger("concurrency"));
    assertEquals(2.0, r.getDouble("duration_s"));
    assertEquals(false, r.getBoolean("stream"));
    assertEquals(new JsonObject().put("3", 95).put("4", 5), r.getJsonObject("model_versions"));
  }

  @Test
  void percentilesAreOrderedAndMatchTheData() {
    JsonObject r = report();
    for (String histogram : List.of("latency_ms", "ttft_ms", "completion_tokens")) {
      JsonObject h = r.getJsonObject(histogram);
      assertTrue(h.getDouble("p50") <= h.getDouble("p90"), histogram);
      assertTrue(h.getDouble("p90") <= h.getDouble("p99"), histogram);
      assertTrue(h.getDouble("p99") <= h.getDouble("max"), histogram);
    }
    JsonObject latency = r.getJsonObject("latency_ms");
    // HdrHistogram with 3 significant digits: within 0.1%
    assertEquals(50.0, latency.getDouble("p50"), 0.1);
    assertEquals(90.0, latency.getDouble("p90"), 0.1);
    assertEquals(99.0, latency.getDouble("p99"), 0.1);
    assertEquals(100.0, latency.getDouble("max"), 0.1);
    assertEquals(50.5, latency.getDouble("mean"), 0.1);
    assertEquals(25.0, r.getJsonObject("ttft_ms").getDouble("p50"), 0.1);
  }

  @Test
  void windowsSplitByFinishTime() {
    JsonArray windows = report().getJsonArray("windows");
    assertEquals(2, windows.size());
    JsonObject first = windows.getJsonObject(0);
    JsonObject second = windows.getJsonObject(1);
    assertEquals(0.0, first.getDouble("t_s"));
    assertEquals(1.0, second.getDouble("t_s"));
    assertEquals(94, first.getLong("requests"));
    assertEquals(90.0, first.getDouble("throughput_rps"), 1e-9);
    assertEquals(10, second.getLong("requests"));
    assertEquals(10.0, second.getDouble("throughput_rps"), 1e-9);
  }

  @Test
  void emptyRunReportsZeros() {
    RunStats stats = new RunStats(Duration.ofSeconds(1));
    JsonObject r =
        LoadReport.toJson(
            LoadPlan.of("127.0.0.1:1", Duration.ofSeconds(1), 1), new RunResult(stats, 1.0, 0));
    assertEquals(0, r.getLong("requests"));
    assertEquals(0.0, r.getJsonObject("latency_ms").getDouble("p99"));
  }
}
