package sail.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.RunningServer;
import sail.server.testing.TinyTrainingServer;
import sail.server.training.SailTrainer;
import sail.server.training.guard.Guard;
import sail.server.training.guard.GuardReport;
import sail.server.training.objective.Route;
import sail.server.training.objective.RouteMetrics;
import sail.server.training.reward.RewardAccuracy;
import sail.server.training.reward.RewardLearner;

class TrainingMetricsTest {
  @TempDir Path dir;

  static SailTrainer.StepReport step(Map<Route, RouteMetrics> routes, List<Long> lags) {
    return new SailTrainer.StepReport(
        7, 0.6, -0.5, 2.5, 1.9, 0.04, 1, Map.of(Route.DDP, 4L), 0, 0.25, routes, lags, 320, null);
  }

  @Test
  void stepAndPublishReportsBecomeMeters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TrainingMetrics metrics = new TrainingMetrics(registry, () -> 3);
    RouteMetrics ddp = new RouteMetrics(4, -0.5, 0.45, 0.9, 1, 2, 0, 0.3, 0.75);
    metrics.stepped(step(Map.of(Route.DDP, ddp), List.of(0L, 2L)));
    metrics.stepped(step(Map.of(Route.DDP, ddp), List.of()));
    GuardReport guards =
        new GuardReport(
            List.of(
                new GuardReport.Check(Guard.KL, 4.5, 20, true, true),
                new GuardReport.Check(Guard.REPETITION, 0.2, 0.05, true, false)));
    metrics.publishAttempted(new SailTrainer.PublishReport(8, false, 3, guards, 0, 0, 0));
    metrics.publishAttempted(new SailTrainer.PublishReport(10, true, 4, guards, 12.0, 0, 0));

    assertEquals(2, registry.get("sail.training.steps").counter().count());
    assertEquals(
        0.5,
        registry
            .get("sail.training.step.duration")
            .timer()
            .totalTime(java.util.concurrent.TimeUnit.SECONDS),
        1e-9);
    assertEquals(2.5, registry.get("sail.training.anchor_nll").gauge().value());
    assertEquals(1.9, registry.get("sail.training.dialogue_nll").gauge().value());
    assertEquals(0.04, registry.get("sail.training.entropy_gap").gauge().value(), 1e-12);
    assertEquals(-0.5, gauge(registry, "sail.training.route.s", "ddp"));
    assertEquals(0.9, gauge(registry, "sail.training.route.weight", "ddp"));
    assertEquals(0.45, gauge(registry, "sail.training.route.loss", "ddp"));
    assertEquals(0.3, gauge(registry, "sail.training.route.margin", "ddp"));
    assertEquals(0.5, gauge(registry, "sail.training.route.swap_rate", "ddp"));
    assertTrue(Double.isNaN(gauge(registry, "sail.training.route.s", "dpp")), "no DPP rows yet");
    assertEquals(
        2, registry.get("sail.training.route.clamped").tag("route", "ddp").counter().count());
    assertEquals(8, registry.get("sail.training.route.rows").tag("route", "ddp").counter().count());
    assertEquals(2, registry.get("sail.training.online.version_lag").summary().count());
    assertEquals(2, registry.get("sail.training.online.version_lag").summary().max());
    assertEquals(
        1, registry.get("sail.training.publishes").tag("outcome", "rejected").counter().count());
    assertEquals(1, registry.get("sail.training.publish.duration").timer().count());
    assertEquals(
        2,
        registry
            .get("sail.training.guard.checks")
            .tags("guard", "repetition", "outcome", "fail")
            .counter()
            .count());
    assertEquals(
        2,
        registry
            .get("sail.training.guard.checks")
            .tags("guard", "kl", "outcome", "pass")
            .counter()
            .count());
    assertEquals(4.5, registry.get("sail.training.kl").gauge().value());
    assertEquals(3, registry.get("sail.training.published_version").gauge().value());

    assertTrue(Double.isNaN(registry.get("sail.training.reward_model.accuracy").gauge().value()));
    metrics.rewardModelAccuracy(new RewardAccuracy(2, 1, 2, 2));
    assertEquals(0.75, registry.get("sail.training.reward_model.accuracy").gauge().value());

    // a step of the learned reward model reports its loss, accuracy and readiness
    RewardLearner.Report reward =
        new RewardLearner.Report(
            12, true, 0.61, 90, 12, new RewardAccuracy(10, 9, 0, 0), true, 0, null);
    metrics.stepped(
        new SailTrainer.StepReport(
            8,
            0.6,
            -0.5,
            2.5,
            Double.NaN,
            Double.NaN,
            0,
            Map.of(),
            0,
            0.25,
            Map.of(),
            List.of(),
            320,
            reward));
    assertEquals(0.61, registry.get("sail.training.reward_model.loss").gauge().value(), 1e-12);
    assertEquals(0.9, registry.get("sail.training.reward_model.accuracy").gauge().value(), 1e-12);
    assertEquals(1, registry.get("sail.training.reward_model.ready").gauge().value());
  }

  static double gauge(SimpleMeterRegistry registry, String name, String route) {
    return registry.get(name).tag("route", route).gauge().value();
  }

  /** A few real steps of a tiny model, then the Prometheus text at /metrics. */
  @Test
  void prometheusScrapeHasTheTrainingSeries() throws Exception {
    try (RunningServer server =
        TinyTrainingServer.start(
            dir, Map.of("training.preset", "sail-dpp", "training.batch_size", "4"))) {
      String text = "";
      long deadline = System.currentTimeMillis() + 90_000;
      while (System.currentTimeMillis() < deadline
          && !(value(text, "sail_training_publishes_total\\{outcome=\"published\",?\\}") >= 1
              && value(text, "sail_training_online_version_lag_count") >= 1)) {
        Thread.sleep(300);
        text =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
      }
      assertTrue(value(text, "sail_training_steps_total") >= 2, text);
      assertTrue(value(text, "sail_training_step_duration_seconds_count") >= 2, text);
      assertTrue(value(text, "sail_training_step_duration_seconds_sum") > 0, text);
      for (String gauge : List.of("s", "loss", "weight", "margin", "accuracy", "swap_rate")) {
        double offline =
            value(text, "sail_training_route_" + gauge + "\\{route=\"offline_dpo\",?\\}");
        assertTrue(Double.isFinite(offline), gauge + " of offline DPO rows:\n" + text);
      }
      assertTrue(Double.isFinite(value(text, "sail_training_route_s\\{route=\"dpp\",?\\}")), text);
      assertTrue(value(text, "sail_training_route_clamped_total\\{route=\"dpp\",?\\}") >= 0);
      assertTrue(value(text, "sail_training_publish_duration_seconds_count") >= 1, text);
      assertTrue(value(text, "sail_training_published_version") >= 1, text);
      assertTrue(Double.isFinite(value(text, "sail_training_kl")), text);
      assertTrue(
          value(text, "sail_training_guard_checks_total\\{guard=\"kl\",outcome=\"pass\",?\\}") >= 1,
          text);
      assertTrue(Double.isNaN(value(text, "sail_training_reward_model_accuracy")), text);
      assertTrue(value(text, "sail_training_online_version_lag_count") >= 1, text);
      assertEquals(0, value(text, "sail_training_online_version_lag_max"), text);
      // the trainer's time per part: sail-dpp samples fresh replies (data), steps and publishes
      for (String part : List.of("update", "data", "publish")) {
        assertTrue(
            value(text, "sail_training_time_seconds_total\\{part=\"" + part + "\",?\\}") > 0,
            part + ":\n" + text);
      }
    }
  }

  /** The value of the first sample whose name and labels match {@code series}; NaN if absent. */
  static double value(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(text);
    if (!m.find()) {
      return Double.NaN;
    }
    String v = m.group(1);
    return v.equals("NaN") ? Double.NaN : Double.parseDouble(v);
  }
}
