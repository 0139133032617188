package sail.server.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Map;
import sail.server.metrics.ServingWindow;
import sail.server.training.SailTrainer;
import sail.server.training.objective.Route;

/**
 * What a browser uses: the chat page at {@code /} and the dashboard at {@code /dashboard}, static
 * files from {@code sail/webroot} on the classpath, and the history the dashboard polls, {@code GET
 * /v1/admin/dashboard?after=SEQ}.
 *
 * <p>The history answer is {@code {"sample_interval_ms", "capacity", "last_seq", "samples": [...],
 * "publishes": [...]}}, oldest first, only entries numbered above {@code after} (0 or absent: all
 * still held); samples and publishes are numbered in one sequence, and a {@code last_seq} below the
 * poller's {@code after} means the server restarted. A sample is {@code {seq, time_ms,
 * model_version, queued, active, tokens_per_s, generations_per_s, latency_mean_ms, latency_p95_ms,
 * ttft_mean_ms, training_state, step, step_report}} where {@code step_report} ({@code {step, loss,
 * mean_s, anchor_nll, dialogue_nll, entropy_gap, swapped, fresh_pairs, seconds, rows: {route:
 * count}}}) is present only when a training step finished in that period; a publish is {@code {seq,
 * time_ms, step, published, version, publish_ms, guards}}. A value that is not a finite number (no
 * generation in the period) is {@code null}.
 */
final class WebRoutes {
  /** Classpath folder of the pages; a name no working directory is likely to hold. */
  static final String WEBROOT = "sail/webroot";

  /** One dashboard sample a second, like a Prometheus scrape. */
  static final long SAMPLE_MILLIS = 1000;

  /** Ten minutes of samples (about 200 bytes each). */
  static final int SAMPLE_CAPACITY = 600;

  /** Publish attempts kept; at one per {@code training.publish_every} steps, hours of training. */
  static final int PUBLISH_CAPACITY = 200;

  private final Vertx vertx;
  private final GenerationService service;

  WebRoutes(Vertx vertx, GenerationService service) {
    this.vertx = vertx;
    this.service = service;
  }

  /**
   * Adds the routes and starts sampling. Mount after the API routes: the static handler answers
   * every other GET path (a missing file falls through to 404).
   */
  void mount(Router router) {
    DashboardRecorder recorder =
        new DashboardRecorder(service, SAMPLE_CAPACITY, PUBLISH_CAPACITY, System.nanoTime());
    vertx.setPeriodic(
        SAMPLE_MILLIS, ignored -> recorder.sample(System.nanoTime(), System.currentTimeMillis()));
    router.get("/v1/admin/dashboard").handler(ctx -> dashboard(ctx, recorder));
    router.get("/dashboard").handler(ctx -> ctx.reroute("/dashboard.html"));
    // no browser caching: a restarted server may serve a newer page
    router.get("/*").handler(StaticHandler.create(WEBROOT).setCachingEnabled(false));
  }

  private void dashboard(RoutingContext ctx, DashboardRecorder recorder) {
    long after;
    try {
      String raw = ctx.request().getParam("after");
      after = raw == null ? 0 : Long.parseLong(raw);
    } catch (NumberFormatException e) {
      HttpErrors.send(
          ctx,
          new ApiException.InvalidArgument("after", "must be a whole number (the last seq seen)"),
          service.metrics());
      return;
    }
    JsonArray samples = new JsonArray();
    for (RecentHistory.Entry<DashboardRecorder.Sample> entry : recorder.samples().after(after)) {
      samples.add(sample(entry.seq(), entry.value()));
    }
    JsonArray publishes = new JsonArray();
    for (RecentHistory.Entry<DashboardRecorder.Publish> entry : recorder.publishes().after(after)) {
      publishes.add(publish(entry.seq(), entry.value()));
    }
    JsonObject body =
        new JsonObject()
            .put("sample_interval_ms", SAMPLE_MILLIS)
            .put("capacity", recorder.samples().capacity())
            .put("last_seq", recorder.lastSeq())
            .put("samples", samples)
            .put("publishes", publishes);
    ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static JsonObject sample(long seq, DashboardRecorder.Sample s) {
    ServingWindow w = s.serving();
    JsonObject out =
        new JsonObject()
            .put("seq", seq)
            .put("time_ms", s.timeMillis())
            .put("model_version", s.modelVersion())
            .put("queued", s.queued())
            .put("active", s.active())
            .put("tokens_per_s", finite(w.tokensPerSecond()))
            .put("generations_per_s", finite(w.generationsPerSecond()))
            .put("latency_mean_ms", finite(w.meanLatencyMs()))
            .put("latency_p95_ms", finite(w.p95LatencyMs()))
            .put("ttft_mean_ms", finite(w.meanTtftMs()))
            .put("training_state", s.trainingState() == null ? null : s.trainingState().name())
            .put("step", s.step());
    SailTrainer.StepReport r = s.newStep();
    if (r != null) {
      JsonObject rows = new JsonObject();
      for (Map.Entry<Route, Long> route : r.rows().entrySet()) {
        rows.put(route.getKey().name(), route.getValue());
      }
      out.put(
          "step_report",
          new JsonObject()
              .put("step", r.step())
              .put("loss", finite(r.loss()))
              .put("mean_s", finite(r.meanS()))
              .put("anchor_nll", finite(r.anchorNll()))
              .put("dialogue_nll", finite(r.dialogueNll()))
              .put("entropy_gap", finite(r.entropyGap()))
              .put("swapped", r.swapped())
              .put("fresh_pairs", r.freshPairs())
              .put("seconds", finite(r.seconds()))
              .put("rows", rows));
    }
    return out;
  }

  private static JsonObject publish(long seq, DashboardRecorder.Publish p) {
    SailTrainer.PublishReport r = p.report();
    return new JsonObject()
        .put("seq", seq)
        .put("time_ms", p.timeMillis())
        .put("step", r.step())
        .put("published", r.published())
        .put("version", r.version())
        .put("publish_ms", finite(r.publishMillis()))
        .put("guards", AdminRoutes.guards(r.guards()));
  }

  /** JSON has no NaN or infinity; the page shows {@code null} as "—". */
  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
