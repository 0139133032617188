package sail.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import sail.server.training.SailTrainer;
import sail.server.training.TrainingObserver;
import sail.server.training.TrainingTime;
import sail.server.training.guard.Guard;
import sail.server.training.guard.GuardReport;
import sail.server.training.objective.Route;
import sail.server.training.objective.RouteMetrics;
import sail.server.training.reward.RewardAccuracy;
import sail.server.training.reward.RewardLearner;

/**
 * Names every meter of online training, fed from the training loop's step and publish reports
 * (sail-objective.md, section 8). Prometheus names follow from Micrometer's (dots become
 * underscores, counters get {@code _total}, timers {@code _seconds}).
 *
 * <ul>
 *   <li>{@code sail.training.steps} — optimiser steps (its rate is steps/s); {@code
 *       sail.training.step.duration} — seconds per step (publish excluded)
 *   <li>{@code sail.training.loss}, {@code sail.training.mean_s}, {@code sail.training.anchor_nll},
 *       {@code sail.training.dialogue_nll}, {@code sail.training.entropy_gap} — the last step's
 *       batch loss, mean s, NLL anchor, dialogue anchor, and how far the policy's next-token
 *       entropy per reply token lies below the reference's (NaN with the entropy floor off)
 *   <li>per route, tag {@code route} = offline_dpo, ddp, dpp, dpr; gauges hold the last step that
 *       had rows of the route (NaN before): {@code sail.training.route.s} (mean s = log σ(β·h)),
 *       {@code .loss} (mean −s − (c_B/2)·s²), {@code .weight} (mean 1 + c_B·s after the clamp),
 *       {@code .term_a} (mean |term A|), {@code .margin} (mean implicit reward margin β·h), {@code
 *       .accuracy} (share with h &gt; 0), {@code .swap_rate} (share of DDP labels reversed);
 *       counters {@code sail.training.route.rows}, {@code .clamped}, {@code .swapped}
 *   <li>{@code sail.training.online.version_lag} — per sampled row (fresh or logged pair), how many
 *       published versions its generator trails the served one
 *   <li>{@code sail.training.publishes{outcome}} — publish attempts, published or rejected; {@code
 *       sail.training.publish.duration} — snapshot and hot swap of a published version
 *   <li>{@code sail.training.guard.checks{guard, outcome}} — guard results, pass or fail; {@code
 *       sail.training.kl} — KL(π ‖ π_ref) estimate of the last publish attempt (NaN before)
 *   <li>{@code sail.training.published_version} — the version new requests are served with
 *   <li>{@code sail.training.reward_model.accuracy} — held-out accuracy of the learned reward
 *       model; NaN until one reports; {@code sail.training.reward_model.ranking_accuracy} — how
 *       often it ranks held-out pairs as people did; {@code
 *       sail.training.reward_model.label_coverage} — the share of held-out pairs it scores far
 *       enough apart to label (0 while it labels none)
 * </ul>
 *
 * <p>The observer methods run on the trainer's thread; gauges are read on the scraper's, so the
 * values they read are volatile.
 */
public final class TrainingMetrics implements TrainingObserver {
  private final MeterRegistry registry;
  private final Counter steps;
  private final Timer stepDuration;
  private final Timer publishDuration;
  private final DistributionSummary versionLag;
  private final Map<Route, RouteMeters> routes = new EnumMap<>(Route.class);
  // Micrometer's gauges hold their state object weakly: these fields keep them alive
  private final LongSupplier publishedVersion;
  private volatile double loss = Double.NaN;
  private volatile double meanS = Double.NaN;
  private volatile double anchorNll = Double.NaN;
  private volatile double dialogueNll = Double.NaN;
  private volatile double entropyGap = Double.NaN;
  private volatile double kl = Double.NaN;
  private volatile double rewardModelAccuracy = Double.NaN;
  private volatile double rewardModelRanking = Double.NaN;
  private volatile double rewardModelLoss = Double.NaN;
  private volatile double rewardModelReady;
  private volatile double rewardModelCoverage = Double.NaN;
  private volatile Supplier<TrainingTime> time = () -> TrainingTime.ZERO;

  /**
   * Registers every training meter.
   *
   * @param publishedVersion the version new requests are served with
   */
  public TrainingMetrics(MeterRegistry registry, LongSupplier publishedVersion) {
    this.registry = registry;
    this.publishedVersion = publishedVersion;
    this.steps =
        Counter.builder("sail.training.steps").description("optimiser steps").register(registry);
    this.stepDuration =
        Timer.builder("sail.training.step.duration")
            .description("time of one optimiser step, publish excluded")
            .register(registry);
    this.publishDuration =
        Timer.builder("sail.training.publish.duration")
            .description("snapshot and hot swap of a published version")
            .register(registry);
    this.versionLag =
        DistributionSummary.builder("sail.training.online.version_lag")
            .description("published versions a sampled row's generator trails the served one")
            .register(registry);
    gauge("sail.training.loss", "batch loss of the last step", m -> m.loss);
    gauge("sail.training.mean_s", "mean s = log sigmoid(beta h) of the last step", m -> m.meanS);
    gauge("sail.training.anchor_nll", "NLL anchor of the last step", m -> m.anchorNll);
    gauge(
        "sail.training.dialogue_nll",
        "mean NLL per token of the dialogue anchor's replies in the last step",
        m -> m.dialogueNll);
    gauge(
        "sail.training.entropy_gap",
        "reference minus policy next-token entropy per reply token in the last step (nats)",
        m -> m.entropyGap);
    gauge("sail.training.kl", "KL estimate of the last publish attempt", m -> m.kl);
    gauge(
        "sail.training.reward_model.accuracy",
        "held-out accuracy of the reward model; NaN without one",
        m -> m.rewardModelAccuracy);
    gauge(
        "sail.training.reward_model.ranking_accuracy",
        "share of held-out choices and 👍-vs-👎 pairs the reward model ranks right; NaN without one",
        m -> m.rewardModelRanking);
    gauge(
        "sail.training.reward_model.loss",
        "batch loss of the reward model's last step; NaN without one",
        m -> m.rewardModelLoss);
    gauge(
        "sail.training.reward_model.label_coverage",
        "share of held-out pairs the reward model scores far enough apart to label; 0 while it"
            + " labels none, NaN without one",
        m -> m.rewardModelCoverage);
    gauge(
        "sail.training.reward_model.ready",
        "1 while the reward model labels fresh DPR rows, else 0",
        m -> m.rewardModelReady);
    gauge(
        "sail.training.published_version",
        "version new requests are served with",
        m -> m.publishedVersion.getAsLong());
    for (Route route : Route.values()) {
      routes.put(route, new RouteMeters(registry, route));
    }
  }

  @Override
  public void stepped(SailTrainer.StepReport step) {
    steps.increment();
    stepDuration.record(Duration.ofNanos(Math.round(step.seconds() * 1e9)));
    loss = step.loss();
    meanS = step.meanS();
    anchorNll = step.anchorNll();
    dialogueNll = step.dialogueNll();
    entropyGap = step.entropyGap();
    step.routeMetrics().forEach((route, metrics) -> routes.get(route).record(metrics));
    step.onlineVersionLags().forEach(versionLag::record);
    RewardLearner.Report reward = step.reward();
    if (reward != null) {
      if (reward.trained()) {
        rewardModelLoss = reward.loss();
      }
      if (reward.accuracy() != null) {
        rewardModelAccuracy(reward.accuracy());
      }
      rewardModelReady = reward.ready() ? 1 : 0;
      rewardModelCoverage = reward.margin() == null ? 0 : reward.margin().coverage();
    }
  }

  @Override
  public void publishAttempted(SailTrainer.PublishReport publish) {
    registry
        .counter(
            "sail.training.publishes", "outcome", publish.published() ? "published" : "rejected")
        .increment();
    if (publish.published()) {
      publishDuration.record(Duration.ofNanos(Math.round(publish.publishMillis() * 1e6)));
    }
    for (GuardReport.Check check : publish.guards().checks()) {
      registry
          .counter(
              "sail.training.guard.checks",
              "guard",
              tag(check.guard().name()),
              "outcome",
              check.passed() ? "pass" : "fail")
          .increment();
      if (check.guard() == Guard.KL) {
        kl = check.value();
      }
    }
  }

  /**
   * Counts the trainer's wall time per part of its work, read from {@code time} at each scrape:
   * {@code sail_training_time_seconds_total{part="update"|"data"|"reward_model"|"publish"|
   * "checkpoint"}}.
   */
  public void trackTime(Supplier<TrainingTime> time) {
    // held here, not handed to the meter: meters hold their source weakly, and a method reference
    // nobody else keeps would be collected (the counters would then read 0 for ever)
    this.time = time;
    for (String part : TrainingTime.ZERO.fields().keySet()) {
      FunctionCounter.builder("sail.training.time", this, m -> m.time.get().fields().get(part))
          .baseUnit("seconds")
          .description("trainer's wall time per part of its work")
          .tag("part", part)
          .register(registry);
    }
  }

  /** The learned reward model's held-out accuracy (sail-objective.md, section 8). */
  public void rewardModelAccuracy(RewardAccuracy accuracy) {
    rewardModelAccuracy = accuracy.overall();
    rewardModelRanking = accuracy.ranking();
  }

  private void gauge(
      String name, String description, java.util.function.ToDoubleFunction<TrainingMetrics> f) {
    Gauge.builder(name, this, f).description(description).register(registry);
  }

  private static String tag(String enumName) {
    return enumName.toLowerCase(Locale.ROOT);
  }

  /** The meters of one route; gauges read the last recorded values. */
  private static final class RouteMeters {
    private final Counter rows;
    private final Counter clamped;
    private final Counter swapped;
    private volatile RouteMetrics last;

    RouteMeters(MeterRegistry registry, Route route) {
      String name = tag(route.name());
      rows = registry.counter("sail.training.route.rows", "route", name);
      clamped = registry.counter("sail.training.route.clamped", "route", name);
      swapped = registry.counter("sail.training.route.swapped", "route", name);
      gauge(registry, "s", name, RouteMetrics::meanS);
      gauge(registry, "loss", name, RouteMetrics::meanLoss);
      gauge(registry, "weight", name, RouteMetrics::meanWeight);
      gauge(registry, "term_a", name, RouteMetrics::meanTermAMagnitude);
      gauge(registry, "margin", name, RouteMetrics::meanMargin);
      gauge(registry, "accuracy", name, RouteMetrics::accuracy);
      gauge(registry, "swap_rate", name, RouteMetrics::swapRate);
    }

    private void gauge(
        MeterRegistry registry,
        String metric,
        String route,
        java.util.function.ToDoubleFunction<RouteMetrics> value) {
      Gauge.builder(
              "sail.training.route." + metric,
              this,
              meters -> meters.last == null ? Double.NaN : value.applyAsDouble(meters.last))
          .tag("route", route)
          .register(registry);
    }

    void record(RouteMetrics metrics) {
      last = metrics;
      rows.increment(metrics.rows());
      clamped.increment(metrics.clampCount());
      swapped.increment(metrics.swapCount());
    }
  }
}
