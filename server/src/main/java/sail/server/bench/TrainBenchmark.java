package sail.server.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import sail.server.model.CausalLanguageModel;
import sail.server.model.GradMode;
import sail.server.model.WeightSnapshot;
import sail.server.registry.ModelRegistry;
import sail.server.training.SailTrainer;
import sail.server.training.TrainerSettings;
import sail.server.training.guard.GuardBounds;
import sail.server.training.mixture.MixtureSampler;
import sail.server.training.mixture.OfflinePairs;
import sail.server.training.mixture.PromptSource;
import sail.server.training.objective.ObjectiveConfig;
import sail.server.training.objective.Route;
import sail.server.training.reference.ReferencePolicy;
import sail.server.training.reward.RewardSource;
import sail.server.training.rollout.PolicyRollouts;

/**
 * {@code ./sail bench train}: the cost of a SAIL optimiser step on each route against plain DPO, at
 * equal batch size and in the same run (machines here are noisy; only same-run ratios mean much),
 * and the latency of publishing a version (snapshot + hot swap).
 *
 * <p>Every route starts from the same base weights with the authors' preset (sail-objective.md,
 * section 3) and the server's trainer settings, no NLL anchor. A step of an online route includes
 * its rollouts (two fresh replies per DPP/DPR row), their reference log-probs and labels: that is
 * the overhead SAIL adds. Publishes run with guards that always pass, so every attempt is timed;
 * the time is {@code PublishReport.publishMillis}: snapshot of the live weights and the swap;
 * beside it, the whole attempt and its guard replies' share (the server's 48 guard prompts).
 */
public final class TrainBenchmark {
  /**
   * A configuration to measure: its name in the report, its objective, and the most batches of
   * similar length its scored sequences are split into (1: one padded batch).
   */
  public record Variant(String name, ObjectiveConfig objective, int lengthBatches) {
    Variant(String name, ObjectiveConfig objective) {
      this(name, objective, TrainerSettings.defaults().lengthBatches());
    }
  }

  /**
   * @param batch preference rows per step, the same for every route
   * @param warmupSteps untimed steps per route first (allocations, reference cache)
   * @param steps timed steps per route
   * @param publishes timed publishes, after the routes
   * @param seed seeds the mixture, rollouts and labels
   */
  public record Settings(int batch, int warmupSteps, int steps, int publishes, long seed) {
    public Settings {
      if (batch < 1 || warmupSteps < 0 || steps < 1 || publishes < 1) {
        throw new IllegalArgumentException(
            "batch, steps and publishes must be >= 1 and warm-up steps >= 0");
      }
    }
  }

  /**
   * DPO first (the baseline), then DPO with every step's sequences in one padded batch (what length
   * batching saves), then the authors' SAIL presets; DPR only with a reward source.
   */
  public static List<Variant> variants(boolean withDpr) {
    List<Variant> variants = new ArrayList<>();
    variants.add(new Variant("dpo", ObjectiveConfig.dpo()));
    variants.add(new Variant("dpo-one-batch", ObjectiveConfig.dpo(), 1));
    variants.add(new Variant("sail-ddp", ObjectiveConfig.sailDdp()));
    variants.add(new Variant("sail-dpp", ObjectiveConfig.sailDpp()));
    if (withDpr) {
      variants.add(new Variant("sail-dpr", ObjectiveConfig.sailDpr()));
    }
    return variants;
  }

  private TrainBenchmark() {}

  /**
   * Measures every variant on {@code model}, interleaved: each round runs one step of every
   * variant, starting with a different one each round, so that load on a shared machine falls on
   * all of them alike. Each variant keeps its own weights (restored into the live parameters before
   * its step, outside the timing), optimizer and sampler; they share one reference whose
   * offline-pair cache is filled first, so that no variant pays for scoring the dataset. The live
   * weights are left at the last variant's.
   *
   * @param base the starting weights and the reference of every variant
   * @param rewards labels DPR rows, or null to skip the DPR route
   * @param workDirectory where the trainers write published versions
   */
  public static Map<String, Object> run(
      CausalLanguageModel model,
      WeightSnapshot base,
      long baseVersion,
      OfflinePairs pairs,
      List<String> prompts,
      RewardSource rewards,
      Path workDirectory,
      Settings settings) {
    List<Lane> lanes = new ArrayList<>();
    try (ReferencePolicy reference =
        new ReferencePolicy(model, base, baseVersion, ReferencePolicy.Settings.defaults())) {
      reference.precompute(pairs.pairs());
      for (Variant variant : variants(rewards != null)) {
        lanes.add(
            new Lane(
                variant,
                base.retain(),
                new SailTrainer(
                    model,
                    // the registry takes this reference; the process ends soon after
                    new ModelRegistry(model, baseVersion, base.retain()),
                    reference,
                    new MixtureSampler(
                        MixtureSampler.Settings.of(variant.objective(), settings.seed()),
                        pairs,
                        PromptSource.of(prompts),
                        List.of()),
                    rewards,
                    prompts,
                    workDirectory.resolve(variant.name()),
                    trainerSettings(variant, settings))));
      }
      // one intra-op thread, as the server's trainer runs beside serving (stack-notes.md)
      GradMode.setThreadsForThisThread(1);
      for (int round = 0; round < settings.warmupSteps() + settings.steps(); round++) {
        // each round starts with the next variant, so none always runs first
        for (int k = 0; k < lanes.size(); k++) {
          Lane lane = lanes.get((round + k) % lanes.size());
          SailTrainer.StepReport step = lane.step(model);
          if (round >= settings.warmupSteps()) {
            lane.measured.add(step);
          }
        }
      }
      // publishing copies and swaps weights whatever the route: time it once, on DPO's weights
      Lane dpo = lanes.get(0);
      dpo.weights.copyInto(model.block());
      List<Double> publishMillis = new ArrayList<>();
      List<Double> attemptMillis = new ArrayList<>();
      List<Double> sampleMillis = new ArrayList<>();
      // the first attempt also samples the reference's guard replies, once per trainer
      dpo.trainer.publishIfHealthy();
      for (int i = 0; i < settings.publishes(); i++) {
        long started = System.nanoTime();
        SailTrainer.PublishReport report = dpo.trainer.publishIfHealthy();
        attemptMillis.add((System.nanoTime() - started) / 1e6);
        publishMillis.add(report.publishMillis());
        sampleMillis.add(report.sampleMillis());
      }

      Map<String, Object> routes = new LinkedHashMap<>();
      double dpoSecondsPerStep = dpo.measured.secondsPerStep();
      for (Lane lane : lanes) {
        routes.put(lane.variant.name(), lane.measured.toJson(dpoSecondsPerStep));
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("params", model.parameterCount());
      out.put("batch", settings.batch());
      out.put("warmup_steps", settings.warmupSteps());
      out.put("steps", settings.steps());
      out.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
      out.put("routes", routes);
      out.put("publish_ms", percentiles(publishMillis));
      // the whole guarded attempt, and its guard replies' share (sampled and scored)
      out.put("publish_attempt_ms", percentiles(attemptMillis));
      out.put("publish_guard_sample_ms", percentiles(sampleMillis));
      return out;
    } finally {
      lanes.forEach(Lane::close);
    }
  }

  /** One variant's trainer, its own copy of the policy weights, and its timed steps. */
  private static final class Lane implements AutoCloseable {
    final Variant variant;
    final SailTrainer trainer;
    final Measured measured = new Measured();
    WeightSnapshot weights;

    Lane(Variant variant, WeightSnapshot weights, SailTrainer trainer) {
      this.variant = variant;
      this.weights = weights;
      this.trainer = trainer;
    }

    /** Puts this variant's weights in the live parameters, steps, and keeps the result. */
    SailTrainer.StepReport step(CausalLanguageModel model) {
      weights.copyInto(model.block());
      SailTrainer.StepReport step = trainer.trainStep();
      weights.release();
      weights = WeightSnapshot.copyOf(model.block(), model.device());
      return step;
    }

    @Override
    public void close() {
      trainer.close();
      weights.release();
    }
  }

  /** What the timed steps of one variant did. */
  private static final class Measured {
    int steps;
    double seconds;
    long tokens;
    long freshPairs;
    double fastest = Double.POSITIVE_INFINITY;
    double slowest;
    final Map<Route, Long> rows = new EnumMap<>(Route.class);

    void add(SailTrainer.StepReport step) {
      steps++;
      seconds += step.seconds();
      fastest = Math.min(fastest, step.seconds());
      slowest = Math.max(slowest, step.seconds());
      tokens += step.tokens();
      freshPairs += step.freshPairs();
      step.rows().forEach((route, count) -> rows.merge(route, count, Long::sum));
    }

    double secondsPerStep() {
      return seconds / steps;
    }

    Map<String, Object> toJson(double dpoSecondsPerStep) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("steps_per_s", round(steps / seconds));
      json.put("tokens_per_s", round(tokens / seconds));
      json.put("seconds_per_step", round(secondsPerStep()));
      // the spread shows how noisy the machine was during the run
      json.put("seconds_per_step_min", round(fastest));
      json.put("seconds_per_step_max", round(slowest));
      // SAIL's extra time per step relative to DPO, measured in the same run
      json.put("overhead_vs_dpo", round(secondsPerStep() / dpoSecondsPerStep - 1));
      Map<String, Long> byRoute = new LinkedHashMap<>();
      rows.forEach((route, count) -> byRoute.put(route.name().toLowerCase(Locale.ROOT), count));
      json.put("rows", byRoute);
      json.put("fresh_pairs", freshPairs);
      return json;
    }
  }

  /**
   * The server's trainer settings for {@code objective}, without the NLL anchor (the authors'
   * presets have none), never publishing or checkpointing on its own, with guards that pass.
   */
  private static TrainerSettings trainerSettings(Variant variant, Settings settings) {
    TrainerSettings d = TrainerSettings.defaults();
    return new TrainerSettings(
        variant.objective(),
        settings.batch(),
        variant.lengthBatches(),
        d.learningRate(),
        0,
        0,
        0,
        d.clipNorm(),
        Integer.MAX_VALUE,
        Integer.MAX_VALUE,
        1,
        settings.publishes() + 1,
        // the server's guard sample, so that an attempt costs what it costs in the server
        TrainerSettings.DEFAULT_GUARD_PROMPTS,
        false,
        0.0,
        PolicyRollouts.Settings.defaults(),
        TrainerSettings.DEFAULT_DPR_CANDIDATES,
        new GuardBounds(1.0, 0.0, Double.MAX_VALUE, 0.0, 1.0, 1.0, 0.0),
        d.maxQueuedRequests(),
        settings.seed());
  }

  /** Count, p50 (nearest rank) and max of {@code values}. */
  static Map<String, Object> percentiles(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("count", sorted.size());
    out.put("p50", round(sorted.get((sorted.size() - 1) / 2)));
    out.put("max", round(sorted.get(sorted.size() - 1)));
    return out;
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
