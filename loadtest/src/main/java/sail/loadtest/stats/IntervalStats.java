package sail.loadtest.stats;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What happened during one span of a run (the whole run, or one window): outcome counts and
 * HdrHistograms of latency, time to first token and reply length. Not thread-safe; {@link RunStats}
 * guards it.
 */
public final class IntervalStats {
  private static final int SIGNIFICANT_DIGITS = 3;

  // auto-resizing: memory follows the range actually seen, so many windows stay cheap
  private final Histogram latencyMicros = new Histogram(SIGNIFICANT_DIGITS);
  private final Histogram ttftMicros = new Histogram(SIGNIFICANT_DIGITS);
  private final Histogram completionTokens = new Histogram(SIGNIFICANT_DIGITS);
  private final Map<String, Long> errorsByStatus = new TreeMap<>();
  private final TreeMap<Long, Long> modelVersions = new TreeMap<>();
  private long succeeded;
  private long refused;
  private long errors;
  private long tokens;
  private double scoreSum;
  private long scored;

  /** Adds one finished request. */
  public void add(Outcome outcome) {
    // Java 17: no pattern switch yet; the three cases of the sealed type in turn
    if (outcome instanceof Outcome.Success s) {
      succeeded++;
      tokens += s.completionTokens();
      latencyMicros.recordValue(micros(s.latencyNanos()));
      ttftMicros.recordValue(micros(s.ttftNanos()));
      completionTokens.recordValue(Math.max(0, s.completionTokens()));
      modelVersions.merge(s.modelVersion(), 1L, Long::sum);
      if (!Double.isNaN(s.hiddenScore())) {
        scoreSum += s.hiddenScore();
        scored++;
      }
    } else if (outcome instanceof Outcome.Refused) {
      refused++;
    } else if (outcome instanceof Outcome.Failed f) {
      errors++;
      errorsByStatus.merge(f.status(), 1L, Long::sum);
    }
  }

  public long succeeded() {
    return succeeded;
  }

  public long errors() {
    return errors;
  }

  public long refused() {
    return refused;
  }

  public long tokens() {
    return tokens;
  }

  /** Mean client-observed latency of successful requests, in milliseconds (0 when none). */
  public double meanLatencyMillis() {
    return succeeded == 0 ? 0 : latencyMicros.getMean() / 1000.0;
  }

  /** Mean hidden score of the judged replies; NaN when none was judged. */
  public double meanScore() {
    return scored == 0 ? Double.NaN : scoreSum / scored;
  }

  /** The newest model version that served a reply in this span; -1 when none did. */
  public long newestModelVersion() {
    return modelVersions.isEmpty() ? -1 : modelVersions.lastKey();
  }

  /**
   * The report fields of this span.
   *
   * <p>{@code requests} counts every answered request (replies, errors and overload refusals);
   * {@code throughput_rps} and {@code tokens_per_s} count replies only, over {@code seconds};
   * {@code mean_score} (null when no reply was judged) is the hidden annotator's mean score and
   * {@code model_version} the newest version that served a reply (null when none did).
   */
  public JsonObject toJson(double seconds) {
    JsonObject versions = new JsonObject();
    modelVersions.forEach((version, count) -> versions.put(Long.toString(version), count));
    return new JsonObject()
        .put("requests", succeeded + errors + refused)
        .put("succeeded", succeeded)
        .put("errors", errors)
        .put("errors_by_status", new JsonObject(Map.copyOf(errorsByStatus)))
        .put("overload_refusals", refused)
        .put("throughput_rps", seconds > 0 ? succeeded / seconds : 0.0)
        .put("tokens_per_s", seconds > 0 ? tokens / seconds : 0.0)
        .put("completion_tokens_total", tokens)
        .put("latency_ms", millisSummary(latencyMicros))
        .put("ttft_ms", millisSummary(ttftMicros))
        .put("completion_tokens", summary(completionTokens, 1.0))
        .put("model_versions", versions)
        .put("model_version", modelVersions.isEmpty() ? null : newestModelVersion())
        .put("scored", scored)
        .put("mean_score", scored == 0 ? null : meanScore());
  }

  private static JsonObject millisSummary(Histogram micros) {
    return summary(micros, 1000.0);
  }

  /** p50, p90, p99, mean and max of a histogram, divided by {@code scale}; zeros when empty. */
  private static JsonObject summary(Histogram h, double scale) {
    boolean empty = h.getTotalCount() == 0;
    return new JsonObject()
        .put("p50", empty ? 0.0 : h.getValueAtPercentile(50) / scale)
        .put("p90", empty ? 0.0 : h.getValueAtPercentile(90) / scale)
        .put("p99", empty ? 0.0 : h.getValueAtPercentile(99) / scale)
        .put("mean", empty ? 0.0 : h.getMean() / scale)
        .put("max", empty ? 0.0 : h.getMaxValue() / scale);
  }

  private static long micros(long nanos) {
    return Math.max(1, nanos / 1000);
  }
}
