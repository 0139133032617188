package sail.loadtest.experiment;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sail.loadtest.users.HiddenJudge;
import sail.server.evaluation.HeadToHead;
import sail.server.evaluation.WinRate;
import sail.server.inference.EngineLoader;
import sail.server.model.CausalLanguageModel;
import sail.server.model.GradMode;
import sail.server.model.ModelLoader;
import sail.server.model.SequenceScorer;
import sail.server.registry.ModelRegistry;
import sail.server.task.Prompt;
import sail.server.task.PromptSets;
import sail.server.training.SailTrainer;
import sail.server.training.TrainerSettings;
import sail.server.training.TrainingPreset;
import sail.server.training.guard.SampleStatistics;
import sail.server.training.mixture.MixtureSampler;
import sail.server.training.mixture.OfflinePairs;
import sail.server.training.mixture.PreferencePair;
import sail.server.training.mixture.PromptSource;
import sail.server.training.mixture.StalenessBound;
import sail.server.training.objective.GradientCoefficients;
import sail.server.training.objective.MixtureWeights;
import sail.server.training.objective.ObjectiveConfig;
import sail.server.training.reference.ReferencePolicy;
import sail.server.training.reward.AnnotatorRewards;
import sail.server.training.reward.RewardSource;
import sail.server.training.rollout.PolicyRollouts;
import sail.server.training.rollout.RolloutPair;

/**
 * {@code ./sail experiment}: the analogue of the SAIL paper's results table and time-overhead
 * figure on our own task. From the same base model and the same step budget, trains each objective
 * preset with several seeds — offline DPO, SAIL-DDP, SAIL-DPP, SAIL-DPR and the server's default
 * mixture — and reports, per preset, the win-rate against the reference (the base) and against DPO
 * of the same seed, the mean hidden reward, KL(π ‖ π_ref) on the policy's own samples, and the wall
 * time of training relative to DPO.
 *
 * <p>Everything but the objective is held equal: batch, learning rate, NLL anchor, seeds. The
 * simulated annotator labels DPR's fresh samples (it stands in for people, sail-objective.md
 * section 3) and judges the evaluation; DPO, DDP and DPP never see it beyond the shipped offline
 * pairs, which it labelled.
 */
@Command(
    name = "experiment",
    mixinStandardHelpOptions = true,
    description =
        "Train DPO and the SAIL presets from the same base with the same step budget and several"
            + " seeds; report win-rates, hidden reward, KL and time relative to DPO.")
public final class ExperimentCommand implements Callable<Integer> {
  @Option(
      names = "--presets",
      split = ",",
      defaultValue = "dpo,sail-ddp,sail-dpp,sail-dpr,default",
      description = "presets to train (default dpo,sail-ddp,sail-dpp,sail-dpr,default)")
  List<String> presets;

  @Option(names = "--steps", defaultValue = "50", description = "steps per run (default 50)")
  int steps;

  @Option(names = "--seeds", defaultValue = "2", description = "seeds per preset (default 2)")
  int seeds;

  @Option(names = "--batch", defaultValue = "16", description = "rows per step (default 16)")
  int batch;

  @Option(
      names = "--eval-prompts",
      defaultValue = "100",
      description = "held-out prompts of each evaluation (default 100)")
  int evalPrompts;

  @Option(
      names = "--preference",
      defaultValue = "positive-sentiment",
      description = "the annotator's preference (default positive-sentiment)")
  String preference;

  @Option(names = "--markdown", description = "write the results table here (e.g. docs/...)")
  Path markdown;

  @Option(names = "--json", description = "print the results as one JSON object")
  boolean json;

  @Option(
      names = "--lr",
      description =
          "learning rate of every preset (default: each preset's own, 3e-5 for the authors')")
  Double learningRate;

  @Option(
      names = "--anchor",
      description = "α of the NLL anchor on chosen replies (default: the server's, 1)")
  Double anchor;

  @Option(
      names = "--dialogue-anchor",
      description =
          "λ of the dialogue anchor: NLL of people-written dialogue replies added to every step"
              + " (default: the server's)")
  Double dialogueAnchor;

  @Option(
      names = "--entropy-floor",
      description =
          "η of the entropy floor: the policy's next-token entropy on a step's replies held at the"
              + " reference's (default 0: off, as the committed tables were measured)")
  Double entropyFloor;

  @Option(names = "--beta", description = "β of every preset (default: each preset's own)")
  Double beta;

  @Option(
      names = "--mixture",
      split = ",",
      description =
          "override the mixture weights r,p,g of every preset but dpo (DDP, DPP, DPR shares; the rest offline),"
              + " e.g. 0,0,1 for online DPO on fresh samples")
  List<Double> mixture;

  @Option(
      names = "--coefficients",
      split = ",",
      description = "override the gradient coefficients ρ,π,γ of every preset but dpo (e.g. 0,0,0)")
  List<Double> coefficients;

  @Option(
      names = "--offline",
      paramLabel = "JSONL",
      description =
          "offline preference pairs (prompt, chosen, rejected per line; default: the shipped"
              + " dataset), e.g. pairs exported from a server's traffic log")
  Path offlinePairs;

  @Option(
      names = "--relabel-offline",
      description =
          "label the offline pairs by the hidden annotator (higher score chosen, ties dropped): the"
              + " same replies with noiseless labels, to tell label noise from everything else")
  boolean relabelOffline;

  @Option(
      names = "--label-temperature",
      description =
          "label DPR's fresh samples the way the simulated users choose: a Bradley–Terry draw on"
              + " the annotator's scores at this temperature (the users' is 0.1); default: the"
              + " annotator's argmax, no noise")
  Double labelTemperature;

  @Option(
      names = "--eval-every",
      defaultValue = "0",
      description =
          "also evaluate every N steps and report the curve of win-rate vs reference (0: only at"
              + " the end)")
  int evalEvery;

  @Override
  public Integer call() throws Exception {
    if (!presets.contains("dpo")) {
      throw new IllegalArgumentException("--presets must include dpo, the baseline");
    }
    HiddenJudge judge = HiddenJudge.named(preference);
    Engine.getEngine("PyTorch");
    GradMode.setThreadsForThisThread(2);
    List<String> heldOut = PromptSets.loadHeldOut().stream().map(Prompt::prompt).toList();
    List<String> evaluation = heldOut.subList(0, Math.min(evalPrompts, heldOut.size()));
    List<String> guardPrompts = heldOut.subList(evaluation.size(), heldOut.size());
    List<String> trainPrompts = PromptSets.loadTrain().stream().map(Prompt::prompt).toList();
    OfflinePairs offline =
        OfflinePairs.load(
            offlinePairs != null
                ? offlinePairs
                : EngineLoader.embeddedDefault().getParent().resolve("offline-pairs.jsonl"));

    if (relabelOffline) {
      offline = relabelled(offline, judge);
    }
    ModelLoader.Loaded base = ModelLoader.load(EngineLoader.embeddedDefault(), Device.cpu());
    CausalLanguageModel model = base.model();
    ReferencePolicy reference =
        new ReferencePolicy(
            model,
            base.weights(),
            0,
            ReferencePolicy.Settings.defaults()
                .withEntropy(entropyFloor != null && entropyFloor > 0));
    ModelRegistry registry = new ModelRegistry(model, 0, base.weights().retain());
    PolicyRollouts rollouts = new PolicyRollouts(model, new PolicyRollouts.Settings(1.0, 48, 32));
    RewardSource rewards =
        labelTemperature == null
            ? new AnnotatorRewards(judge.annotator())
            : new BradleyTerryRewards(
                new AnnotatorRewards(judge.annotator()), labelTemperature, 17);
    // score the offline pairs once before any timing, or whichever preset runs first pays for it
    reference.precompute(offline.pairs());

    Map<String, List<JsonObject>> runs = new LinkedHashMap<>();
    Map<String, JsonArray> curves = new LinkedHashMap<>();
    List<String> ordered = new ArrayList<>(presets);
    ordered.remove("dpo");
    ordered.add(0, "dpo"); // DPO first: the others compare with its replies
    for (int seed = 1; seed <= seeds; seed++) {
      long evalSeed = 7_000L + seed;
      List<String> baseReplies =
          first(rollouts.sample(evaluation, reference.weights(), 0, evalSeed, 1.0));
      List<String> dpoReplies = null;
      for (String preset : ordered) {
        base.weights().copyInto(model.block());
        Path dir = Files.createTempDirectory("sail-experiment-");
        TrainerSettings settings = settings(preset, seed);
        MixtureSampler sampler =
            new MixtureSampler(
                new MixtureSampler.Settings(
                    settings.objective().mixture(),
                    MixtureSampler.Settings.DEFAULT_FEEDBACK_SHARE,
                    StalenessBound.DEFAULT,
                    true,
                    seed),
                offline,
                PromptSource.of(trainPrompts),
                List.of());
        double seconds;
        try (SailTrainer trainer =
            new SailTrainer(
                model, registry, reference, sampler, rewards, guardPrompts, dir, settings)) {
          long trainingNanos = 0;
          JsonArray curve = new JsonArray();
          for (int s = 0; s < steps; s++) {
            long start = System.nanoTime();
            trainer.trainStep();
            trainingNanos += System.nanoTime() - start;
            if (evalEvery > 0 && (s + 1) % evalEvery == 0 && s + 1 < steps) {
              // evaluation time is kept out of the training time
              List<String> replies =
                  first(rollouts.sample(evaluation, model.liveParameters(), 0, evalSeed, 1.0));
              HeadToHead point = judge.compare(evaluation, baseReplies, replies);
              curve.add(
                  new JsonObject()
                      .put("step", s + 1)
                      .put("win_rate_vs_reference", point.winRate().rate())
                      .put("mean_score", point.meanScore())
                      .put("fluency", HiddenJudge.toJson(point.fluency())));
              System.err.printf(
                  Locale.ROOT,
                  "%-9s seed %d step %d: win vs reference %.3f, score %.4f%n",
                  preset,
                  seed,
                  s + 1,
                  point.winRate().rate(),
                  point.meanScore());
            }
          }
          seconds = trainingNanos / 1e9;
          curves.put(preset + "/" + seed, curve);
        }
        List<RolloutPair> samples =
            rollouts.sample(evaluation, model.liveParameters(), 0, evalSeed, 1.0);
        List<String> replies = first(samples);
        double kl = kl(samples, reference, model);
        HeadToHead vsBase = judge.compare(evaluation, baseReplies, replies);
        JsonObject run =
            new JsonObject()
                .put("preset", preset)
                .put("seed", seed)
                .put("train_seconds", seconds)
                .put("win_rate_vs_reference", winJson(vsBase.winRate()))
                .put("mean_score", vsBase.meanScore())
                .put("mean_score_reference", vsBase.referenceMeanScore())
                .put("kl", kl)
                .put("fluency", HiddenJudge.toJson(vsBase.fluency()))
                .put("fluency_reference", HiddenJudge.toJson(vsBase.referenceFluency()))
                .put("curve", curves.get(preset + "/" + seed));
        if (dpoReplies == null) {
          dpoReplies = replies;
        } else {
          run.put(
              "win_rate_vs_dpo", winJson(judge.compare(evaluation, dpoReplies, replies).winRate()));
        }
        runs.computeIfAbsent(preset, k -> new ArrayList<>()).add(run);
        System.err.printf(
            Locale.ROOT,
            "%-9s seed %d: %.1f s, win vs reference %.3f, score %.4f, KL %.2f%n",
            preset,
            seed,
            seconds,
            vsBase.winRate().rate(),
            vsBase.meanScore(),
            kl);
        deleteTree(dir);
      }
    }
    reference.close();
    base.weights().release();
    model.close();

    JsonObject results = summarize(runs);
    if (markdown != null) {
      Files.writeString(markdown, markdownTable(results), StandardCharsets.UTF_8);
    }
    System.out.println(json ? results.encode() : markdownTable(results));
    return 0;
  }

  /**
   * The preset's objective, with the command line's overrides, and every other setting equal across
   * presets.
   */
  private TrainerSettings settings(String preset, int seed) {
    TrainerSettings d = TrainerSettings.defaults();
    ObjectiveConfig objective = TrainingPreset.named(preset).objective();
    if (beta != null) {
      objective = objective.withBeta(beta);
    }
    // dpo stays plain DPO: it is the baseline the other presets are compared with
    if (!"dpo".equals(preset) && mixture != null) {
      objective = objective.withMixture(mixtureOf(triple(mixture, "--mixture")));
    }
    if (!"dpo".equals(preset) && coefficients != null) {
      objective =
          objective.withCoefficients(coefficientsOf(triple(coefficients, "--coefficients")));
    }
    return new TrainerSettings(
        objective,
        batch,
        d.lengthBatches(),
        learningRate == null ? TrainingPreset.named(preset).learningRate() : learningRate,
        anchor == null ? d.nllAnchor() : anchor,
        dialogueAnchor == null ? d.dialogueAnchor() : dialogueAnchor,
        entropyFloor == null ? 0 : entropyFloor,
        d.clipNorm(),
        Integer.MAX_VALUE, // no publishing: the experiment evaluates the live weights
        Integer.MAX_VALUE,
        d.keepCheckpoints(),
        d.keepVersions(),
        d.guardPrompts(),
        false,
        0.0,
        d.rollouts(),
        d.dprCandidates(),
        d.guardBounds(),
        Integer.MAX_VALUE,
        seed);
  }

  /** The options that changed the presets, as typed on the command line (for the table). */
  private String overrides() {
    StringBuilder o = new StringBuilder(" --presets ").append(String.join(",", presets));
    if (learningRate != null) o.append(" --lr ").append(learningRate);
    if (anchor != null) o.append(" --anchor ").append(anchor);
    if (dialogueAnchor != null) o.append(" --dialogue-anchor ").append(dialogueAnchor);
    if (entropyFloor != null) o.append(" --entropy-floor ").append(entropyFloor);
    if (beta != null) o.append(" --beta ").append(beta);
    if (mixture != null) o.append(" --mixture ").append(joined(mixture));
    if (coefficients != null) o.append(" --coefficients ").append(joined(coefficients));
    if (evalEvery > 0) o.append(" --eval-every ").append(evalEvery);
    if (offlinePairs != null) o.append(" --offline ").append(offlinePairs);
    if (relabelOffline) o.append(" --relabel-offline");
    if (labelTemperature != null) o.append(" --label-temperature ").append(labelTemperature);
    return o.toString();
  }

  private static String joined(List<Double> values) {
    return String.join(",", values.stream().map(String::valueOf).toList());
  }

  /** {@code pairs} with the annotator's labels: swapped where it disagrees, ties dropped. */
  private static OfflinePairs relabelled(OfflinePairs pairs, HiddenJudge judge) {
    List<PreferencePair> out = new ArrayList<>();
    int swapped = 0;
    for (PreferencePair p : pairs.pairs()) {
      double chosen = judge.score(p.chosen());
      double rejected = judge.score(p.rejected());
      if (chosen > rejected) {
        out.add(p);
      } else if (rejected > chosen) {
        out.add(new PreferencePair(p.id(), p.prompt(), p.rejected(), p.chosen()));
        swapped++;
      }
    }
    System.err.printf(
        Locale.ROOT,
        "relabelled %d offline pairs: %d swapped, %d ties dropped%n",
        pairs.size(),
        swapped,
        pairs.size() - out.size());
    return OfflinePairs.of(pairs.name() + " (relabelled by the annotator)", out);
  }

  private static double[] triple(List<Double> values, String option) {
    if (values.size() != 3) {
      throw new IllegalArgumentException(
          option + " takes three comma-separated numbers, got " + values.size());
    }
    return new double[] {values.get(0), values.get(1), values.get(2)};
  }

  private static MixtureWeights mixtureOf(double[] v) {
    return new MixtureWeights(v[0], v[1], v[2]);
  }

  private static GradientCoefficients coefficientsOf(double[] v) {
    return new GradientCoefficients(v[0], v[1], v[2]);
  }

  private static List<String> first(List<RolloutPair> pairs) {
    return pairs.stream().map(p -> p.first().text()).toList();
  }

  /** KL(π ‖ π_ref) estimated on the policy's own samples (sail-objective.md; guard KL). */
  private static double kl(
      List<RolloutPair> samples, ReferencePolicy reference, CausalLanguageModel model) {
    List<SequenceScorer.Example> examples =
        samples.stream().map(RolloutPair::firstExample).toList();
    double[] policy = samples.stream().mapToDouble(p -> p.first().sampledLogProb()).toArray();
    return SampleStatistics.klEstimate(policy, reference.sumLogProbs(examples));
  }

  private static JsonObject winJson(WinRate w) {
    double[] ci = w.ci95();
    return new JsonObject()
        .put("rate", w.rate())
        .put("ci95", new JsonArray().add(ci[0]).add(ci[1]))
        .put("wins", w.wins())
        .put("ties", w.ties())
        .put("losses", w.losses());
  }

  /** Per preset: the mean over seeds of each measure, and the time relative to DPO. */
  static JsonObject summarize(Map<String, List<JsonObject>> runs) {
    double dpoSeconds = mean(runs.get("dpo"), r -> r.getDouble("train_seconds"));
    JsonObject presetsJson = new JsonObject();
    for (Map.Entry<String, List<JsonObject>> e : runs.entrySet()) {
      List<JsonObject> list = e.getValue();
      double seconds = mean(list, r -> r.getDouble("train_seconds"));
      presetsJson.put(
          e.getKey(),
          new JsonObject()
              .put(
                  "win_rate_vs_reference",
                  mean(list, r -> r.getJsonObject("win_rate_vs_reference").getDouble("rate")))
              .put(
                  "win_rate_vs_dpo",
                  "dpo".equals(e.getKey())
                      ? null
                      : mean(list, r -> r.getJsonObject("win_rate_vs_dpo").getDouble("rate")))
              .put("mean_score", mean(list, r -> r.getDouble("mean_score")))
              .put("kl", mean(list, r -> r.getDouble("kl")))
              .put("train_seconds", seconds)
              .put("time_vs_dpo", seconds / dpoSeconds)
              .put("runs", new JsonArray(list)));
    }
    return new JsonObject().put("presets", presetsJson);
  }

  private static double mean(
      List<JsonObject> runs, java.util.function.ToDoubleFunction<JsonObject> f) {
    return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
  }

  private String markdownTable(JsonObject results) {
    StringBuilder md = new StringBuilder();
    md.append(
            String.format(
                Locale.ROOT,
                "# DPO vs SAIL on the default task%n%nCommand: `./sail experiment --steps %d --seeds %d"
                    + " --batch %d --eval-prompts %d --preference %s%s`%n%n"
                    + "Means over %d seeds; win-rates count a tie as ½; KL is estimated on the"
                    + " policy's own samples; time is training wall time relative to DPO.%n%n",
                steps,
                seeds,
                batch,
                evalPrompts,
                preference,
                overrides(),
                seeds))
        .append(
            "| preset | win vs reference | win vs DPO | mean hidden reward | KL | time vs DPO |\n")
        .append("|---|---|---|---|---|---|\n");
    JsonObject presetsJson = results.getJsonObject("presets");
    for (String name : presetsJson.fieldNames()) {
      JsonObject p = presetsJson.getJsonObject(name);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.3f | %s | %.4f | %.2f | %.2f× |%n",
              name,
              p.getDouble("win_rate_vs_reference"),
              p.getValue("win_rate_vs_dpo") == null
                  ? "—"
                  : String.format(Locale.ROOT, "%.3f", p.getDouble("win_rate_vs_dpo")),
              p.getDouble("mean_score"),
              p.getDouble("kl"),
              p.getDouble("time_vs_dpo")));
    }
    return md.toString();
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
