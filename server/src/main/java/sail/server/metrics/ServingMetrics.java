package sail.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Names every meter the server records, so dashboards have one place to look. Prometheus names
 * follow from Micrometer's (dots become underscores, counters get {@code _total}).
 *
 * <ul>
 *   <li>{@code sail.generations{api, outcome}} — finished candidates by API (grpc, http) and finish
 *       reason, or {@code error}
 *   <li>{@code sail.generated.tokens} — completion tokens produced
 *   <li>{@code sail.generation.duration} — submit to last token, per candidate
 *   <li>{@code sail.generation.ttft} — submit to first text, per candidate
 *   <li>{@code sail.requests.rejected{reason}} — invalid, not_found, overloaded, unavailable,
 *       unauthenticated, permission_denied, rate_limited
 *   <li>{@code sail.feedback{rating}}, {@code sail.preferences} — acknowledged events
 *   <li>{@code sail.engine.queued}, {@code sail.engine.active}, {@code sail.traffic_log.pending} —
 *       gauges
 *   <li>{@code sail.engine.decode.step} — the engine's own time in decode steps (count = steps,
 *       total = time stepping); {@code sail.engine.prefill} — its time in prefills (count =
 *       sequences prefilled); {@code sail.engine.decode.rows} — sequence-steps decoded. Benchmarks
 *       subtract these from client latency to get the RPC and HTTP overhead.
 * </ul>
 */
public final class ServingMetrics {
  private final MeterRegistry registry;
  private final Counter tokens;
  private final Timer duration;
  private final Timer ttft;
  private final Counter preferences;
  // Micrometer's function meters hold their state object weakly: keep it alive here
  private EngineTimings engineTimings;

  public ServingMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.tokens =
        Counter.builder("sail.generated.tokens")
            .description("completion tokens")
            .register(registry);
    this.duration =
        Timer.builder("sail.generation.duration")
            .description("submit to last token, per candidate")
            .publishPercentileHistogram()
            .register(registry);
    this.ttft =
        Timer.builder("sail.generation.ttft")
            .description("submit to first text, per candidate")
            .publishPercentileHistogram()
            .register(registry);
    this.preferences =
        Counter.builder("sail.preferences")
            .description("acknowledged preferences")
            .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Registers the gauges that read live state. */
  public void gauges(
      Supplier<Number> engineQueued, Supplier<Number> engineActive, Supplier<Number> logPending) {
    Gauge.builder("sail.engine.queued", engineQueued).register(registry);
    Gauge.builder("sail.engine.active", engineActive).register(registry);
    Gauge.builder("sail.traffic_log.pending", logPending).register(registry);
  }

  /**
   * Cumulative engine timings, read when scraped; each supplier returns 0 while no engine (or an
   * engine without timings) is loaded.
   */
  public record EngineTimings(
      LongSupplier decodeSteps,
      LongSupplier decodeNanos,
      LongSupplier decodeRows,
      LongSupplier prefilledSequences,
      LongSupplier prefillNanos) {}

  /** Registers the meters that expose the engine's own time (see the class comment). */
  public void engineTimings(EngineTimings timings) {
    this.engineTimings = timings;
    FunctionTimer.builder(
            "sail.engine.decode.step",
            timings,
            t -> t.decodeSteps().getAsLong(),
            t -> t.decodeNanos().getAsLong(),
            TimeUnit.NANOSECONDS)
        .description("engine time in decode steps; count = steps")
        .register(registry);
    FunctionTimer.builder(
            "sail.engine.prefill",
            timings,
            t -> t.prefilledSequences().getAsLong(),
            t -> t.prefillNanos().getAsLong(),
            TimeUnit.NANOSECONDS)
        .description("engine time in prefills; count = sequences prefilled")
        .register(registry);
    FunctionCounter.builder("sail.engine.decode.rows", timings, t -> t.decodeRows().getAsLong())
        .description("sequence-steps decoded (one row per running sequence per step)")
        .register(registry);
  }

  public void generationFinished(
      String api, String outcome, int completionTokens, long nanos, long ttftNanos) {
    registry.counter("sail.generations", "api", api, "outcome", outcome).increment();
    tokens.increment(completionTokens);
    duration.record(Duration.ofNanos(nanos));
    if (ttftNanos >= 0) {
      ttft.record(Duration.ofNanos(ttftNanos));
    }
  }

  /**
   * Cumulative serving totals since start. Two snapshots taken some seconds apart give the rates
   * and latencies of the window between them (the dashboard's serving history).
   *
   * @param completionTokens {@code sail.generated.tokens} so far
   * @param duration {@code sail.generation.duration}: count, total and cumulative buckets
   * @param ttft {@code sail.generation.ttft}: count, total and cumulative buckets
   */
  public record Totals(
      double completionTokens, HistogramSnapshot duration, HistogramSnapshot ttft) {}

  public Totals totals() {
    return new Totals(tokens.count(), duration.takeSnapshot(), ttft.takeSnapshot());
  }

  public void rejected(String reason) {
    registry.counter("sail.requests.rejected", "reason", reason).increment();
  }

  public void feedback(String rating) {
    registry.counter("sail.feedback", "rating", rating).increment();
  }

  public void preference() {
    preferences.increment();
  }
}
