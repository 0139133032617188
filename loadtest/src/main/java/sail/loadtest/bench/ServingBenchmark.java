package sail.loadtest.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import sail.client.ClientSecurity;
import sail.client.SailClient;
import sail.client.Target;
import sail.loadtest.LoadPlan;
import sail.loadtest.LoadReport;
import sail.loadtest.LoadTest;
import sail.loadtest.run.RunResult;
import sail.loadtest.users.CallMix;
import sail.loadtest.users.PromptSource;
import sail.v1.GenerateRequest;
import sail.v1.ModelInfo;

/**
 * Measures the serving targets of issue 3 in one run against a running server:
 *
 * <ol>
 *   <li><b>Batching</b>: tokens/s at concurrency 1 and at {@code highConcurrency} (16), closed
 *       loop, unary; target ratio ≥ 4.
 *   <li><b>Overhead</b>: at concurrency 1, {@code (client latency − engine time) / client latency}
 *       with the engine time per request taken from the server's {@code /metrics} ({@code
 *       sail_engine_prefill_seconds} + {@code sail_engine_decode_step_seconds}, deltas over the
 *       phase, divided by the sequences prefilled); target < 5%. With the server's own
 *       submit-to-last-token timer ({@code sail_generation_duration_seconds}) instead of the engine
 *       time, the same formula gives the transport-only share.
 *   <li><b>Slot reuse</b>: with the batch full and one request queued, the time from cancelling a
 *       stream to the queued request's first chunk, against the decode step time measured over the
 *       same interval; target: within one step.
 * </ol>
 *
 * Requests are sent with {@code no_log}, so the benchmark leaves no rows in the traffic log.
 */
public final class ServingBenchmark {

  /**
   * @param phase length of each throughput phase
   * @param warmup closed-loop load at concurrency 1 before measuring
   * @param highConcurrency the batched phase's concurrency
   * @param maxTokens {@code max_tokens} of the throughput phases
   * @param slotTrials clean slot-reuse trials wanted
   * @param probePrompt prompt of the long slot-reuse streams; null means the first held-out one
   * @param slotOnly measure slot reuse only (no throughput and overhead phases)
   */
  public record Settings(
      Duration phase,
      Duration warmup,
      int highConcurrency,
      int maxTokens,
      int slotTrials,
      String probePrompt,
      boolean slotOnly) {}

  private static final double BATCHING_TARGET = 4.0;
  private static final double OVERHEAD_TARGET = 0.05;

  private ServingBenchmark() {}

  /** The server's {@code /metrics}, read over the benchmark's TLS and with its key. */
  private record Metrics(HttpClient client, URI uri, ClientSecurity security) {
    PrometheusText scrape() throws IOException, InterruptedException {
      return PrometheusText.scrape(client, uri, security.authorization());
    }
  }

  /** Runs every measurement in turn against an open server (no TLS, no keys). */
  public static JsonObject run(Target target, Settings settings) throws Exception {
    return run(target, settings, ClientSecurity.NONE);
  }

  /**
   * Runs every measurement in turn; blocks; returns one JSON object.
   *
   * @param security TLS and key of every call; with keys configured the key must be an admin key,
   *     as the engine timings come from the admin-only {@code /metrics}
   */
  public static JsonObject run(Target target, Settings settings, ClientSecurity security)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    SailClient client = new SailClient(vertx, target, Duration.ofSeconds(120), security);
    HttpClient.Builder httpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
    if (security.tls()) {
      httpClient.sslContext(security.sslContext());
    }
    Metrics metrics =
        new Metrics(
            httpClient.build(),
            URI.create(
                (security.tls() ? "https://" : "http://")
                    + target.host()
                    + ":"
                    + target.port()
                    + "/metrics"),
            security);
    try {
      PromptSource prompts = LoadTest.heldOutPrompts();
      JsonObject result =
          new JsonObject()
              .put("benchmark", "serving")
              .put("target", target.toString())
              .put("max_tokens", settings.maxTokens())
              .put("phase_s", settings.phase().toMillis() / 1000.0);
      if (!settings.slotOnly()) {
        throughputAndOverhead(vertx, client, metrics, target, settings, prompts, result);
      }
      result.put("slot_reuse", slotReuse(vertx, client, target, metrics, settings, prompts));
      return result;
    } finally {
      client.close();
      vertx.close().await();
    }
  }

  /** The two closed-loop phases; adds {@code throughput}, {@code overhead} and {@code runs}. */
  private static void throughputAndOverhead(
      Vertx vertx,
      SailClient client,
      Metrics metrics,
      Target target,
      Settings settings,
      PromptSource prompts,
      JsonObject result)
      throws Exception {
    LoadPlan single =
        new LoadPlan(
            target.toString(),
            settings.phase(),
            1,
            CallMix.UNARY,
            settings.maxTokens(),
            OptionalDouble.empty(),
            true,
            Duration.ofSeconds(120),
            Duration.ofSeconds(60),
            settings.phase(),
            Duration.ofMillis(50));
    LoadPlan batched = single.withConcurrency(settings.highConcurrency());
    if (!settings.warmup().isZero()) {
      phase(vertx, client, prompts, single.withDuration(settings.warmup()));
    }

    // concurrency 1: throughput and overhead
    PrometheusText before = metrics.scrape();
    RunResult one = phase(vertx, client, prompts, single);
    PrometheusText after = metrics.scrape();

    // high concurrency: throughput with batching
    PrometheusText beforeBatched = metrics.scrape();
    RunResult many = phase(vertx, client, prompts, batched);
    PrometheusText afterBatched = metrics.scrape();

    String high = "c" + settings.highConcurrency();
    double singleRate = one.stats().tokens() / one.elapsedSeconds();
    double batchedRate = many.stats().tokens() / many.elapsedSeconds();
    double ratio = singleRate > 0 ? batchedRate / singleRate : Double.NaN;
    long errors = one.stats().errors() + many.stats().errors();
    result
        .put(
            "throughput",
            new JsonObject()
                .put("tokens_per_s_c1", singleRate)
                .put("tokens_per_s_" + high, batchedRate)
                .put("high_concurrency", settings.highConcurrency())
                .put("ratio", finite(ratio))
                .put("target_ratio", BATCHING_TARGET)
                .put("errors", errors)
                .put("met", ratio >= BATCHING_TARGET && errors == 0)
                .put("decode_step_ms_c1", stepMillis(before, after))
                .put("decode_step_ms_" + high, stepMillis(beforeBatched, afterBatched)))
        .put("overhead", overhead(one, before, after))
        .put(
            "runs",
            new JsonObject()
                .put("c1", withoutWindows(LoadReport.toJson(single, one)))
                .put(high, withoutWindows(LoadReport.toJson(batched, many))));
  }

  /** JSON has no NaN or infinity: those become null. */
  static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private static JsonObject withoutWindows(JsonObject report) {
    report.remove("windows");
    return report;
  }

  private static RunResult phase(
      Vertx vertx, SailClient client, PromptSource prompts, LoadPlan plan) {
    return LoadTest.closedLoop(vertx, plan, LoadTest.generationUsers(client, prompts, plan))
        .await();
  }

  /** Overhead at concurrency 1 from client latency and the server's engine and request timers. */
  static JsonObject overhead(RunResult run, PrometheusText before, PrometheusText after) {
    double latency = run.stats().meanLatencyMillis();
    double sequences = after.delta(before, "sail_engine_prefill_seconds_count");
    double engineSeconds =
        after.delta(before, "sail_engine_prefill_seconds_sum")
            + after.delta(before, "sail_engine_decode_step_seconds_sum");
    double serverCount = after.delta(before, "sail_generation_duration_seconds_count");
    double serverSeconds = after.delta(before, "sail_generation_duration_seconds_sum");
    JsonObject out =
        new JsonObject()
            .put("client_latency_ms_mean", latency)
            .put("requests", run.stats().succeeded())
            .put("target_fraction", OVERHEAD_TARGET);
    if (sequences > 0 && latency > 0) {
      double engine = engineSeconds * 1000 / sequences;
      double fraction = (latency - engine) / latency;
      out.put("engine_ms_per_request", engine)
          .put("overhead_fraction", fraction)
          .put("met", fraction < OVERHEAD_TARGET);
    } else {
      // the server exposes no engine timings (an engine other than the DJL one)
      out.putNull("engine_ms_per_request").putNull("overhead_fraction").putNull("met");
    }
    if (serverCount > 0 && latency > 0) {
      double server = serverSeconds * 1000 / serverCount;
      out.put("server_ms_per_request", server)
          .put("transport_overhead_fraction", (latency - server) / latency);
    } else {
      out.putNull("server_ms_per_request").putNull("transport_overhead_fraction");
    }
    return out;
  }

  /** Mean engine decode step between two scrapes, in ms; null when none was recorded. */
  static Double stepMillis(PrometheusText before, PrometheusText after) {
    double steps = after.delta(before, "sail_engine_decode_step_seconds_count");
    return steps > 0
        ? after.delta(before, "sail_engine_decode_step_seconds_sum") * 1000 / steps
        : null;
  }

  private static JsonObject slotReuse(
      Vertx vertx,
      SailClient client,
      Target target,
      Metrics metrics,
      Settings settings,
      PromptSource prompts)
      throws Exception {
    ModelInfo info = client.modelInfo().await();
    int longTokens = Math.max(1, Math.min(info.getMaxTokensLimit(), info.getContextLength()));
    String prompt = settings.probePrompt() != null ? settings.probePrompt() : prompts.next();
    GenerateRequest longStream =
        GenerateRequest.newBuilder()
            .setPrompt(prompt)
            .setMaxTokens(longTokens)
            .setNoLog(true)
            .setClientId(LoadTest.CLIENT_ID)
            .build();
    SlotReuseProbe probe =
        new SlotReuseProbe(
            vertx,
            client,
            SocketAddress.inetSocketAddress(target.port(), target.host()),
            metrics.security(),
            longStream);
    PrometheusText before = metrics.scrape();
    List<SlotReuseProbe.Trial> trials = probe.run(settings.slotTrials());
    PrometheusText after = metrics.scrape();

    List<Double> clean =
        trials.stream()
            .filter(SlotReuseProbe.Trial::clean)
            .map(SlotReuseProbe.Trial::reuseMillis)
            .toList();
    double reuse = SlotReuseProbe.median(clean);
    Double engineStep = stepMillis(before, after);
    double clientStep = SlotReuseProbe.median(probe.chunkGapsMillis());
    double step = engineStep != null ? engineStep : clientStep;
    JsonObject out =
        new JsonObject()
            .put("reuse_ms_median", finite(reuse))
            .put(
                "reuse_ms_max", finite(clean.stream().mapToDouble(d -> d).max().orElse(Double.NaN)))
            .put("decode_step_ms_engine", engineStep)
            .put("chunk_gap_ms_client_median", finite(clientStep))
            .put("reuse_in_steps", step > 0 ? finite(reuse / step) : null)
            .put("clean_trials", clean.size())
            .put("trials", SlotReuseProbe.toJson(trials));
    out.put("met", Double.isNaN(reuse) || Double.isNaN(step) ? null : reuse <= step);
    return out;
  }
}
