package sail.server.metrics;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.concurrent.TimeUnit;

/**
 * Serving throughput and latency over one window: the difference of two {@link
 * ServingMetrics.Totals} snapshots. Every field describes that window only, not the whole uptime.
 * Latencies are NaN when no generation finished in the window.
 *
 * @param tokensPerSecond completion tokens per second
 * @param generationsPerSecond finished candidates per second (errors included)
 * @param meanLatencyMs mean submit-to-last-token time
 * @param p95LatencyMs 95th percentile of the same, as the upper bound of the histogram bucket it
 *     falls in (Micrometer's percentile buckets are about 10% apart, so it is that coarse); NaN
 *     when it lies above the highest bucket
 * @param meanTtftMs mean submit-to-first-text time
 */
public record ServingWindow(
    double tokensPerSecond,
    double generationsPerSecond,
    double meanLatencyMs,
    double p95LatencyMs,
    double meanTtftMs) {

  /** The window from {@code before} to {@code after}, {@code seconds} apart (must be positive). */
  public static ServingWindow between(
      ServingMetrics.Totals before, ServingMetrics.Totals after, double seconds) {
    if (!(seconds > 0)) {
      throw new IllegalArgumentException("seconds: must be positive, got " + seconds);
    }
    long generations = after.duration().count() - before.duration().count();
    return new ServingWindow(
        (after.completionTokens() - before.completionTokens()) / seconds,
        generations / seconds,
        meanMillis(before.duration(), after.duration()),
        quantileMillis(before.duration(), after.duration(), 0.95),
        meanMillis(before.ttft(), after.ttft()));
  }

  static double meanMillis(HistogramSnapshot before, HistogramSnapshot after) {
    long count = after.count() - before.count();
    if (count <= 0) {
      return Double.NaN;
    }
    return (after.total(TimeUnit.MILLISECONDS) - before.total(TimeUnit.MILLISECONDS)) / count;
  }

  /**
   * The {@code q} quantile of the values recorded between the snapshots. Both snapshots come from
   * one timer, so their buckets have the same bounds; the Prometheus registry keeps cumulative
   * counts (values at most the bound, since start), so a bucket's difference is the window's count
   * at most that bound.
   */
  static double quantileMillis(HistogramSnapshot before, HistogramSnapshot after, double q) {
    long count = after.count() - before.count();
    if (count <= 0) {
      return Double.NaN;
    }
    CountAtBucket[] now = after.histogramCounts();
    CountAtBucket[] then = before.histogramCounts();
    double rank = q * count;
    for (int i = 0; i < now.length; i++) {
      double atMostBound = now[i].count() - (i < then.length ? then[i].count() : 0);
      if (atMostBound >= rank) {
        return now[i].bucket(TimeUnit.MILLISECONDS);
      }
    }
    return Double.NaN;
  }
}
