package sail.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** Windows between two snapshots of the real Prometheus registry the server uses. */
class ServingWindowTest {
  static final long MS = 1_000_000L;

  @Test
  void ratesAndLatenciesCoverOnlyTheWindow() {
    ServingMetrics metrics =
        new ServingMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    // before the window: slow replies that must not count
    for (int i = 0; i < 10; i++) {
      metrics.generationFinished("http", "stop", 100, 5000 * MS, 900 * MS);
    }
    ServingMetrics.Totals before = metrics.totals();
    // in the window: 20 replies of 8 tokens; 19 take 10 ms, one takes 400 ms; first text at 2 ms
    for (int i = 0; i < 19; i++) {
      metrics.generationFinished("http", "stop", 8, 10 * MS, 2 * MS);
    }
    metrics.generationFinished("grpc", "length", 8, 400 * MS, 2 * MS);
    ServingWindow w = ServingWindow.between(before, metrics.totals(), 2.0);

    assertEquals(80.0, w.tokensPerSecond(), 1e-9); // 160 tokens / 2 s
    assertEquals(10.0, w.generationsPerSecond(), 1e-9); // 20 replies / 2 s
    assertEquals((19 * 10 + 400) / 20.0, w.meanLatencyMs(), 1e-6);
    assertEquals(2.0, w.meanTtftMs(), 1e-6);
    // rank 19 of 20 is a 10 ms reply: p95 is the bound of 10 ms's bucket, not 400 ms or 5 s
    assertTrue(w.p95LatencyMs() >= 10 && w.p95LatencyMs() < 12, "p95 " + w.p95LatencyMs());
  }

  @Test
  void aQuietWindowHasRatesOfZeroAndNoLatency() {
    ServingMetrics metrics =
        new ServingMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    metrics.generationFinished("http", "stop", 5, 30 * MS, 3 * MS);
    ServingMetrics.Totals t = metrics.totals();
    ServingWindow w = ServingWindow.between(t, metrics.totals(), 1.0);
    assertEquals(0.0, w.tokensPerSecond());
    assertEquals(0.0, w.generationsPerSecond());
    assertTrue(Double.isNaN(w.meanLatencyMs()));
    assertTrue(Double.isNaN(w.p95LatencyMs()));
    assertTrue(Double.isNaN(w.meanTtftMs()));
  }

  @Test
  void aLatencyAboveTheHighestBucketHasNoPercentile() {
    ServingMetrics metrics =
        new ServingMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    ServingMetrics.Totals before = metrics.totals();
    // Micrometer's percentile buckets stop at 30 s by default
    metrics.generationFinished("http", "length", 1, 120_000 * MS, -1);
    ServingWindow w = ServingWindow.between(before, metrics.totals(), 1.0);
    assertEquals(120_000.0, w.meanLatencyMs(), 1e-6);
    assertTrue(Double.isNaN(w.p95LatencyMs()));
    assertTrue(Double.isNaN(w.meanTtftMs()), "no first text was recorded");
  }

  @Test
  void rejectsAnEmptyWindow() {
    ServingMetrics metrics =
        new ServingMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    ServingMetrics.Totals t = metrics.totals();
    assertThrows(IllegalArgumentException.class, () -> ServingWindow.between(t, t, 0));
  }
}
