package sail.loadtest;

import io.vertx.core.json.JsonObject;
import sail.loadtest.run.RunResult;

/**
 * The load test's JSON report: the run's totals ({@code requests}, {@code errors}, {@code
 * errors_by_status}, {@code overload_refusals}, {@code throughput_rps}, {@code tokens_per_s},
 * {@code latency_ms}, {@code ttft_ms}, {@code completion_tokens}, {@code model_versions}), the plan
 * ({@code target}, {@code concurrency}, {@code stream}, {@code stream_share}, {@code max_tokens},
 * {@code planned_duration_s}), {@code duration_s} as measured, {@code unfinished}, and {@code
 * windows}. Times are in milliseconds, rates per second.
 */
public final class LoadReport {
  private LoadReport() {}

  public static JsonObject toJson(LoadPlan plan, RunResult result) {
    double seconds = result.elapsedSeconds();
    return new JsonObject()
        .put("target", plan.target())
        .put("mode", "closed_loop")
        .put("concurrency", plan.concurrency())
        .put("stream", plan.mix().streamShare() >= 1)
        .put("stream_share", plan.mix().streamShare())
        .put("max_tokens", plan.maxTokens())
        .put("planned_duration_s", plan.duration().toMillis() / 1000.0)
        .put("duration_s", seconds)
        .mergeIn(result.stats().totalsJson(seconds))
        .put("unfinished", result.unfinished())
        .put("windows", result.stats().windowsJson(seconds));
  }
}
