package sail.server.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.DoubleAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.model.CausalLanguageModel;
import sail.server.model.Checkpoint;
import sail.server.model.CheckpointException;
import sail.server.model.SequenceScorer;
import sail.server.model.Tokenizer;
import sail.server.model.WeightSnapshot;
import sail.server.registry.CheckpointStore;
import sail.server.registry.ModelRegistry;
import sail.server.registry.PublishedModel;
import sail.server.task.TaskResources;
import sail.server.training.guard.GuardReport;
import sail.server.training.guard.Guards;
import sail.server.training.guard.PreferenceAccuracy;
import sail.server.training.guard.SampleStatistics;
import sail.server.training.guard.SampleSummary;
import sail.server.training.mixture.FeedbackPair;
import sail.server.training.mixture.MixtureSampler;
import sail.server.training.mixture.PlannedRow;
import sail.server.training.mixture.PreferencePair;
import sail.server.training.mixture.Seeds;
import sail.server.training.mixture.StepPlan;
import sail.server.training.objective.DdpLabels;
import sail.server.training.objective.LogProbBatch;
import sail.server.training.objective.ObjectiveMetrics;
import sail.server.training.objective.Route;
import sail.server.training.objective.RouteMetrics;
import sail.server.training.objective.SurrogateLoss;
import sail.server.training.reference.ReferencePolicy;
import sail.server.training.reward.LabelMargin;
import sail.server.training.reward.PromptReply;
import sail.server.training.reward.RewardLearner;
import sail.server.training.reward.RewardSource;
import sail.server.training.rollout.PolicyRollouts;
import sail.server.training.rollout.RolloutCandidates;
import sail.server.training.rollout.RolloutPair;

/**
 * In-place SAIL training of the served model: one optimiser step at a time on the model's live
 * parameters, publishing guarded snapshots to the {@link ModelRegistry} and writing checkpoints.
 *
 * <p>A step (sail-objective.md §3–4), in order:
 *
 * <ol>
 *   <li>plan the batch's rows with the mixture sampler (offline DPO, DDP, DPP, DPR, human pairs);
 *   <li>sample two fresh replies per DPP/DPR prompt from the current policy and label them — DPP by
 *       the policy's own implicit reward at generation time, DPR by the reward source;
 *   <li>reference log-probs (cached for dataset pairs);
 *   <li>policy log-probs with autograd; DDP rows resample their label from the detached h;
 *   <li>the SAIL surrogate plus the NLL anchor on chosen replies (and, when on, the dialogue anchor
 *       on people-written replies); backward, clip, AdamW.
 * </ol>
 *
 * Not thread-safe: one thread (the trainer's) calls it. Serving never reads the live parameters.
 */
public final class SailTrainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SailTrainer.class);
  static final String OPTIMIZER_FILE = "optimizer.safetensors";
  static final String STATE_FILE = "trainer.json";

  /**
   * People's held-out pairs the accuracy guard measures on (the most recent, shared between choices
   * and 👍-vs-👎 pairs), and the fewest it needs: with 64 pairs the accuracy's standard error is
   * about 0.06, and the guard allows a drop of up to its sampling noise ({@link
   * sail.server.training.guard.Guards#allowedAccuracyDrop}); both versions score the same pairs.
   */
  static final int HELD_OUT_PAIRS = 64;

  static final int MIN_HELD_OUT_PAIRS = 16;

  /** New held-out pairs per publish attempt once the set is full ({@link HeldOutRotation}). */
  static final int HELD_OUT_TURNOVER = 16;

  /**
   * Seed of the guard replies: the same for the base and every candidate, so that versions that
   * differ little write the same replies until their choices part.
   */
  static final long GUARD_SEED = 4242L;

  /** Seed of a second look at a close call ({@link Guards#closeCall}), base and candidate alike. */
  static final long SECOND_LOOK_SEED = 4243L;

  /**
   * Steps over which the learning rate rises linearly to its setting when training starts from
   * scratch ({@link #learningRateAt}). AdamW's first update is m̂/√v̂ = ±1 for every parameter, so
   * at the full rate the first steps move every weight by the whole learning rate, those whose
   * gradient is noise as far as the rest; in the demo (docs/demo.md, runs 97–103) the publish at
   * step 10 or 15 was refused by the distinct-word guard in most runs, its replies 8–9% narrower
   * than the base's on the pooled sample of a second look (run 103). With the warm-up, runs 104 and
   * 105 published every version up to step 105 or later.
   */
  static final int WARMUP_STEPS = 10;

  /** The learning rate of the step after {@code stepsTaken} steps: warm-up, then {@code peak}. */
  static double learningRateAt(double peak, long stepsTaken) {
    return peak * Math.min(1.0, (stepsTaken + 1) / (double) WARMUP_STEPS);
  }

  /**
   * What one step did, for metrics and status.
   *
   * @param routeMetrics per-route s, loss, weight, clamps, swaps and margins of the batch
   *     (sail-objective.md, section 8), for the routes that had rows
   * @param onlineVersionLags for each row whose replies were sampled (fresh pairs and logged
   *     pairs), how many published versions their generator trails the served one
   * @param tokens prompt and reply tokens of the batch's 2·B scored sequences, padding excluded
   * @param reward what the learned reward model did before this step, or null without one
   * @param dialogueNll mean NLL per token of the dialogue anchor's replies (NaN without it)
   */
  public record StepReport(
      long step,
      double loss,
      double meanS,
      double anchorNll,
      double dialogueNll,
      double entropyGap,
      int swapped,
      Map<Route, Long> rows,
      int freshPairs,
      double seconds,
      Map<Route, RouteMetrics> routeMetrics,
      List<Long> onlineVersionLags,
      long tokens,
      RewardLearner.Report reward) {}

  /**
   * Outcome of a publish attempt.
   *
   * @param publishMillis the snapshot of the live weights and the swap (0 when refused); with a
   *     moving average ({@code training.publish_average}) its snapshot is taken before the guards
   *     and this is the swap alone
   * @param sampleMillis sampling the guard replies and scoring them under the reference
   * @param heldOutMillis scoring people's held-out pairs for the accuracy guard
   */
  public record PublishReport(
      long step,
      boolean published,
      long version,
      GuardReport guards,
      double publishMillis,
      double sampleMillis,
      double heldOutMillis) {}

  private final CausalLanguageModel model;
  private final ModelRegistry registry;
  private final ReferencePolicy reference;
  private final MixtureSampler sampler;
  private final RewardSource rewards;
  private final RewardLearner rewardLearner;
  private final PolicyRollouts rollouts;
  private final TrainerSettings settings;
  private final CheckpointStore checkpoints;
  private final CheckpointStore versions;
  private final List<String> guardPrompts;
  private final HeldOutLogProbs<ai.djl.training.ParameterStore> heldOutLogProbs;
  private final HeldOutRotation heldOutPairs =
      new HeldOutRotation(HELD_OUT_PAIRS, HELD_OUT_TURNOVER);
  private final AdamW optimizer;
  // people-written replies the policy keeps fitting (null when training.dialogue_anchor is 0)
  private final DialogueAnchor dialogue;
  // the moving average of the weights that publishes serve when training.publish_average is on;
  // it starts at the weights after the first step (or a checkpoint's), so that whatever the live
  // weights were set to before training began is where it starts (null until then)
  private WeightAverage average;
  private Sampled base;
  // the base's replies to the guard prompts under the second-look seed, sampled at the first close
  // call (Guards.closeCall) and kept, as the first look's are
  private List<String> baseSecondLook;
  // the last published version's guard replies, re-scored by the current reward model at each
  // publish attempt (the model keeps learning, so old scores are not comparable); null after a
  // rollback until the next publish
  private List<PromptReply> publishedReplies;
  // whether the live weights hold steps the served version lacks (an operator's publish has
  // nothing to do otherwise)
  private boolean unpublishedSteps;
  private long step;
  // seconds spent per part of the work (TrainingTime); written on the trainer's thread, read by
  // status calls on others
  private final DoubleAdder rewardModelSeconds = new DoubleAdder();
  private final DoubleAdder dataSeconds = new DoubleAdder();
  private final DoubleAdder updateSeconds = new DoubleAdder();
  private final DoubleAdder publishSeconds = new DoubleAdder();
  private final DoubleAdder checkpointSeconds = new DoubleAdder();
  private Map<Route, RouteMetrics> stepRouteMetrics = Map.of();
  private volatile StepReport lastStep;
  private volatile PublishReport lastPublish;

  /**
   * @param model the served model; its live parameters are the policy being trained
   * @param registry where published versions go
   * @param reference the frozen reference policy
   * @param sampler plans each step's rows
   * @param rewards labels fresh DPR rows (null when no reward source labels them: people's labels
   *     only); a {@link RewardLearner} is also trained, one step before each policy step, and
   *     labels rows only once it is {@link RewardLearner#ready()}
   * @param guardPrompts held-out prompts for the publish guards
   * @param dataDirectory holds {@code checkpoints/} and {@code versions/}
   */
  public SailTrainer(
      CausalLanguageModel model,
      ModelRegistry registry,
      ReferencePolicy reference,
      MixtureSampler sampler,
      RewardSource rewards,
      List<String> guardPrompts,
      Path dataDirectory,
      TrainerSettings settings) {
    if (settings.entropyFloor() > 0 && !reference.computesEntropy()) {
      throw new IllegalArgumentException(
          "the entropy floor needs a reference that computes entropy"
              + " (ReferencePolicy.Settings#withEntropy)");
    }
    this.model = model;
    this.registry = registry;
    this.reference = reference;
    this.sampler = sampler;
    this.rewards = rewards;
    this.rewardLearner = rewards instanceof RewardLearner learner ? learner : null;
    this.settings = settings;
    // replies may use at most half the context, so every prompt keeps room
    PolicyRollouts.Settings r = settings.rollouts();
    this.rollouts =
        new PolicyRollouts(
            model,
            new PolicyRollouts.Settings(
                r.temperature(),
                Math.min(r.maxNewTokens(), model.contextLength() / 2),
                r.maxBatch()));
    this.heldOutLogProbs =
        new HeldOutLogProbs<>(
            reference.version(),
            reference.weights(),
            (weights, pairs) -> reference.sumLogProbs(weights, heldOutExamples(pairs)));
    this.guardPrompts =
        List.copyOf(
            guardPrompts.subList(0, Math.min(settings.guardPrompts(), guardPrompts.size())));
    this.checkpoints =
        new CheckpointStore(
            dataDirectory.resolve("checkpoints"), "step", settings.keepCheckpoints());
    this.versions =
        new CheckpointStore(dataDirectory.resolve("versions"), "version", settings.keepVersions());
    this.optimizer = new AdamW(AdamW.Settings.defaults(), model.manager());
    this.dialogue =
        settings.dialogueAnchor() > 0
            ? DialogueAnchor.of(TaskResources.dialogueSft(), model.tokenizer())
            : null;
  }

  public long step() {
    return step;
  }

  public StepReport lastStep() {
    return lastStep;
  }

  public PublishReport lastPublish() {
    return lastPublish;
  }

  public TrainerSettings settings() {
    return settings;
  }

  /** Published versions kept on disk (rollback targets, and what a restart serves). */
  public CheckpointStore versions() {
    return versions;
  }

  // ---------------------------------------------------------------- the step

  /**
   * Runs one optimiser step, then publishes and checkpoints when their period comes.
   *
   * @return the step's report, or null when the mixture had no rows to offer (no step taken)
   */
  public StepReport trainStep() {
    long started = System.nanoTime();
    // the reward model learns first (its own gradient collector, closed before the policy's)
    RewardLearner.Report reward = rewardLearner == null ? null : rewardLearner.step();
    long planning = System.nanoTime();
    rewardModelSeconds.add((planning - started) / 1e9);
    boolean rewardsReady = rewards != null && (rewardLearner == null || rewardLearner.ready());
    StepPlan plan = sampler.next(settings.batchSize(), registry.currentVersion(), rewardsReady);
    List<PlannedRow> rows = plan.rows();
    int n = rows.size();
    if (n == 0) {
      // nothing to learn from yet (a mixture of people's labels only, before any arrived)
      dataSeconds.add((System.nanoTime() - planning) / 1e9);
      return null;
    }
    Tokenizer tokenizer = model.tokenizer();
    SequenceScorer.Example[] chosen = new SequenceScorer.Example[n];
    SequenceScorer.Example[] rejected = new SequenceScorer.Example[n];
    double[] refChosen = new double[n];
    double[] refRejected = new double[n];
    // reference entropy summed over each reply, chosen rows then rejected (the entropy floor's)
    double[] refEntropy = new double[2 * n];
    SplittableRandom labels = new SplittableRandom(Seeds.mix(settings.seed(), step));

    // dataset pairs (offline DPO, DDP): reference log-probs come from the cache
    List<PlannedRow.DatasetRow> dataset = plan.rowsOf(PlannedRow.DatasetRow.class);
    List<ReferencePolicy.PairScores> cached =
        reference.pairs(dataset.stream().map(PlannedRow.DatasetRow::pair).toList());
    for (int i = 0; i < dataset.size(); i++) {
      PlannedRow.DatasetRow row = dataset.get(i);
      chosen[row.slot()] = ChatEncoding.chosen(tokenizer, row.prompt(), row.pair());
      rejected[row.slot()] = ChatEncoding.rejected(tokenizer, row.prompt(), row.pair());
      refChosen[row.slot()] = cached.get(i).chosen().sum();
      refRejected[row.slot()] = cached.get(i).rejected().sum();
      refEntropy[row.slot()] = cached.get(i).chosen().entropy();
      refEntropy[n + row.slot()] = cached.get(i).rejected().entropy();
    }

    // fresh pairs (DPP, DPR): replies from the current policy, labelled now; a DPR pair the
    // reward model scores too close to call takes a person's label instead (LabelMargin)
    List<PlannedRow.FreshRow> fresh = new ArrayList<>(plan.rowsOf(PlannedRow.FreshRow.class));
    List<PlannedRow.FeedbackRow> human = new ArrayList<>(plan.rowsOf(PlannedRow.FeedbackRow.class));
    if (!fresh.isEmpty()) {
      // the reward source's scores of each DPR pair's first and second reply, by fresh row
      double[] scores = new double[2 * fresh.size()];
      List<RolloutPair> pairs =
          freshPairs(fresh, Seeds.mix(settings.seed() ^ 0x5A11L, step), scores);
      List<SequenceScorer.Example> both = new ArrayList<>();
      for (RolloutPair pair : pairs) {
        both.add(pair.firstExample());
        both.add(pair.secondExample());
      }
      List<ReferencePolicy.Scored> refScores = reference.score(both);
      double[] ref = refScores.stream().mapToDouble(ReferencePolicy.Scored::sum).toArray();
      List<PlannedRow.FreshRow> withheld = new ArrayList<>();
      for (int i = 0; i < fresh.size(); i++) {
        PlannedRow.FreshRow row = fresh.get(i);
        RolloutPair pair = pairs.get(i);
        boolean firstWins;
        if (row.route() == Route.DPP) {
          firstWins =
              DdpLabels.keepOrder(
                  (pair.first().sampledLogProb() - ref[2 * i])
                      - (pair.second().sampledLogProb() - ref[2 * i + 1]),
                  settings.objective().beta(),
                  labels);
        } else {
          double first = scores[2 * i];
          double second = scores[2 * i + 1];
          LabelMargin margin = rewardLearner == null ? null : rewardLearner.labelMargin();
          if (margin != null && !margin.labels(first, second)) {
            PlannedRow.FeedbackRow person =
                sampler.feedbackRow(row.slot(), registry.currentVersion());
            if (person != null) {
              withheld.add(row);
              human.add(person);
              continue;
            }
          }
          firstWins = first >= second;
        }
        int w = firstWins ? 0 : 1;
        chosen[row.slot()] = w == 0 ? pair.firstExample() : pair.secondExample();
        rejected[row.slot()] = w == 0 ? pair.secondExample() : pair.firstExample();
        refChosen[row.slot()] = ref[2 * i + w];
        refRejected[row.slot()] = ref[2 * i + 1 - w];
        refEntropy[row.slot()] = refScores.get(2 * i + w).entropy();
        refEntropy[n + row.slot()] = refScores.get(2 * i + 1 - w).entropy();
      }
      fresh.removeAll(withheld);
    }

    // pairs labelled by people (DPR with a human "reward model"); replayed pairs come back, so
    // their reference log-probs are cached like the offline rows'
    if (!human.isEmpty()) {
      List<ReferencePolicy.PairScores> scores =
          reference.pairs(human.stream().map(row -> row.pair().asPreferencePair()).toList());
      for (int i = 0; i < human.size(); i++) {
        PlannedRow.FeedbackRow row = human.get(i);
        chosen[row.slot()] =
            ChatEncoding.chosen(tokenizer, row.prompt(), row.pair().asPreferencePair());
        rejected[row.slot()] =
            ChatEncoding.rejected(tokenizer, row.prompt(), row.pair().asPreferencePair());
        refChosen[row.slot()] = scores.get(i).chosen().sum();
        refRejected[row.slot()] = scores.get(i).rejected().sum();
        refEntropy[row.slot()] = scores.get(i).chosen().entropy();
        refEntropy[n + row.slot()] = scores.get(i).rejected().entropy();
      }
    }

    // policy forward with autograd, DDP label resampling, surrogate + anchor, update
    List<SequenceScorer.Example> all = new ArrayList<>(2 * n);
    all.addAll(List.of(chosen));
    all.addAll(List.of(rejected));
    SequenceScorer.Buckets scored =
        SequenceScorer.collateByLength(
            all, model.contextLength(), tokenizer.padId(), settings.lengthBatches());
    List<Route> routes = plan.routes();
    SequenceScorer.Collated dialogueBatch =
        dialogue == null
            ? null
            : SequenceScorer.collate(
                dialogue.draw(settings.seed(), step, DialogueAnchor.ROWS),
                model.contextLength(),
                tokenizer.padId());
    double[] metrics = new double[] {0, 0, 0, Double.NaN, Double.NaN};
    long updating = System.nanoTime();
    dataSeconds.add((updating - planning) / 1e9);
    double loss =
        OptimizerStep.run(
            () ->
                policyLoss(
                    scored,
                    dialogueBatch,
                    routes,
                    refChosen,
                    refRejected,
                    refEntropy,
                    labels,
                    n,
                    metrics),
            model.block().getParameters(),
            optimizer,
            settings.clipNorm(),
            (float) learningRateAt(settings.learningRate(), step));
    step++;
    unpublishedSteps = true;
    if (average != null) {
      average.update(model.block());
    } else if (settings.publishAverage() > 0) {
      average = WeightAverage.startingAt(model.block(), model.device(), settings.publishAverage());
    }
    updateSeconds.add((System.nanoTime() - updating) / 1e9);

    Map<Route, Long> counts = new LinkedHashMap<>();
    for (Route route : Route.values()) {
      counts.put(route, plan.count(route));
    }
    List<Long> lags = new ArrayList<>();
    fresh.forEach(row -> lags.add(0L)); // sampled from the live policy this step
    human.forEach(row -> lags.add(row.versionLag()));
    lastStep =
        new StepReport(
            step,
            loss,
            metrics[0],
            metrics[1],
            metrics[3],
            metrics[4],
            (int) metrics[2],
            counts,
            fresh.size(),
            (System.nanoTime() - started) / 1e9,
            stepRouteMetrics,
            List.copyOf(lags),
            all.stream()
                .mapToLong(
                    e -> Math.min(model.contextLength(), e.prompt().length + e.response().length))
                .sum(),
            reward);
    if (step % settings.publishEvery() == 0) {
      publishIfHealthy();
    }
    if (step % settings.checkpointEvery() == 0) {
      checkpoint();
    }
    return lastStep;
  }

  /**
   * The scalar to backpropagate; fills metrics {mean s, anchor NLL, swaps, dialogue NLL, entropy
   * gap}.
   *
   * @param dialogueBatch the dialogue anchor's turns of this step, or null without the anchor
   * @param refEntropy the reference's summed entropy over each scored reply, in {@code scored}'s
   *     order
   */
  private NDArray policyLoss(
      SequenceScorer.Buckets scored,
      SequenceScorer.Collated dialogueBatch,
      List<Route> routes,
      double[] refChosen,
      double[] refRejected,
      double[] refEntropy,
      SplittableRandom labels,
      int n,
      double[] metrics) {
    NDManager manager = model.manager();
    boolean floor = settings.entropyFloor() > 0;
    SequenceScorer.TokenScores rowScores =
        SequenceScorer.rowScores(model, model.liveParameters(), scored, true, floor);
    NDArray sums = rowScores.logProbs();
    int[] responseTokens = scored.responseTokens();
    NDArray policyChosen = sums.get(new NDIndex("0:{}", n));
    NDArray policyRejected = sums.get(new NDIndex("{}:{}", n, 2 * n));

    // DDP: keep the dataset order with probability σ(β·h), h from this forward pass (detached)
    float[] lw = policyChosen.toFloatArray();
    float[] ll = policyRejected.toFloatArray();
    float[] swap = new float[n];
    float[] rw = new float[n];
    float[] rl = new float[n];
    float[] chosenTokens = new float[n];
    int swaps = 0;
    for (int i = 0; i < n; i++) {
      boolean flip = false;
      if (routes.get(i) == Route.DDP) {
        double h = (lw[i] - refChosen[i]) - (ll[i] - refRejected[i]);
        flip = !DdpLabels.keepOrder(h, settings.objective().beta(), labels);
      }
      swap[i] = flip ? 1f : 0f;
      swaps += flip ? 1 : 0;
      rw[i] = (float) (flip ? refRejected[i] : refChosen[i]);
      rl[i] = (float) (flip ? refChosen[i] : refRejected[i]);
      chosenTokens[i] = responseTokens[flip ? n + i : i];
    }
    stepRouteMetrics = ObjectiveMetrics.ofStep(settings.objective(), routes, lw, ll, rw, rl, swap);
    NDArray flip = manager.create(swap);
    NDArray keep = flip.neg().add(1f);
    NDArray winner = policyChosen.mul(keep).add(policyRejected.mul(flip));
    NDArray loser = policyRejected.mul(keep).add(policyChosen.mul(flip));

    SurrogateLoss.Surrogate surrogate =
        SurrogateLoss.build(
            settings.objective(),
            routes,
            new LogProbBatch(winner, loser, manager.create(rw), manager.create(rl)));
    NDArray objective = surrogate.objective();

    // NLL anchor on the chosen replies: α · mean NLL per token (RPO; alignment-facts.md)
    float tokens = 0;
    for (float t : chosenTokens) {
      tokens += t;
    }
    NDArray anchor = winner.sum().neg().div(Math.max(1f, tokens));
    if (settings.nllAnchor() > 0) {
      objective = objective.add(anchor.mul((float) settings.nllAnchor()));
    }
    // dialogue anchor: λ · mean NLL per token of people-written replies (DialogueAnchor), a forward
    // pass of its own so that its longer prompts do not pad the preference rows
    if (dialogueBatch != null) {
      NDArray dialogueSums =
          SequenceScorer.sumLogProbs(model, model.liveParameters(), dialogueBatch, true);
      int dialogueTokens = 0;
      for (int t : dialogueBatch.responseTokens()) {
        dialogueTokens += t;
      }
      NDArray dialogueNll = dialogueSums.sum().neg().div(Math.max(1f, dialogueTokens));
      objective = objective.add(dialogueNll.mul((float) settings.dialogueAnchor()));
      metrics[3] = dialogueNll.getFloat();
    }
    // entropy floor: η · Σ_rows max(0, (1 − slack)·H_ref − H_π) / Σ_rows tokens
    // (TrainerSettings#entropyFloor); the metric is the plain gap H_ref − H_π per token
    if (floor) {
      float[] refRows = new float[refEntropy.length];
      long scoredTokens = 0;
      for (int i = 0; i < refRows.length; i++) {
        refRows[i] = (float) refEntropy[i];
        scoredTokens += responseTokens[i];
      }
      NDArray refEntropies = manager.create(refRows);
      NDArray policyEntropies = rowScores.entropies();
      NDArray shortfall =
          refEntropies
              .mul((float) (1 - TrainerSettings.ENTROPY_FLOOR_SLACK))
              .sub(policyEntropies)
              .maximum(0f);
      float perToken = 1f / Math.max(1, scoredTokens);
      objective = objective.add(shortfall.sum().mul(perToken * (float) settings.entropyFloor()));
      metrics[4] = refEntropies.sub(policyEntropies.stopGradient()).sum().getFloat() * perToken;
    }
    metrics[0] = surrogate.s().mean().getFloat();
    metrics[1] = anchor.getFloat();
    metrics[2] = swaps;
    return objective;
  }

  /**
   * The pairs of a step's fresh rows, in their order, sampled from the live policy. A DPP row gets
   * two replies. A DPR row gets {@link TrainerSettings#dprCandidates()} replies, and its pair is
   * the two the reward source scores highest and lowest, first the higher: the wider a pair, the
   * more often its label is right ({@link LabelMargin}). With two candidates that is the pair as
   * sampled.
   *
   * @param scores receives the reward source's scores of each DPR row's pair, first and second, at
   *     {@code 2i} and {@code 2i + 1}
   */
  private List<RolloutPair> freshPairs(
      List<PlannedRow.FreshRow> fresh, long seed, double[] scores) {
    List<Integer> dpr = new ArrayList<>();
    List<Integer> dpp = new ArrayList<>();
    for (int i = 0; i < fresh.size(); i++) {
      (fresh.get(i).route() == Route.DPR ? dpr : dpp).add(i);
    }
    RolloutPair[] pairs = new RolloutPair[fresh.size()];
    if (!dpp.isEmpty()) {
      List<RolloutPair> sampled =
          rollouts.sample(
              dpp.stream().map(i -> fresh.get(i).prompt()).toList(),
              model.liveParameters(),
              registry.currentVersion(),
              seed);
      for (int k = 0; k < dpp.size(); k++) {
        pairs[dpp.get(k)] = sampled.get(k);
      }
    }
    if (!dpr.isEmpty()) {
      int candidates = settings.dprCandidates();
      List<RolloutCandidates> sampled =
          rollouts.candidates(
              dpr.stream().map(i -> fresh.get(i).prompt()).toList(),
              model.liveParameters(),
              registry.currentVersion(),
              // a step of DPR rows alone samples with the step's seed, as DPP rows alone do
              dpp.isEmpty() ? seed : Seeds.mix(seed, 1),
              candidates);
      // one reward-source call for every reply of the step (one batch for a network)
      List<PromptReply> toScore = new ArrayList<>(candidates * dpr.size());
      for (RolloutCandidates c : sampled) {
        for (RolloutPair.Reply reply : c.replies()) {
          toScore.add(new PromptReply(c.prompt(), reply.text()));
        }
      }
      double[] scored = rewards.score(toScore);
      for (int k = 0; k < dpr.size(); k++) {
        double[] own = Arrays.copyOfRange(scored, candidates * k, candidates * (k + 1));
        int[] widest = sampled.get(k).widest(own);
        int row = dpr.get(k);
        pairs[row] = sampled.get(k).pair(widest[0], widest[1]);
        scores[2 * row] = own[widest[0]];
        scores[2 * row + 1] = own[widest[1]];
      }
    }
    return List.of(pairs);
  }

  // ---------------------------------------------------------------- publish

  /**
   * Samples the live policy on the guard prompts, checks the guards against the reference, and
   * publishes a snapshot as the next version when they pass. On failure the publish is skipped and,
   * if configured, the live weights return to the served version.
   */
  public PublishReport publishIfHealthy() {
    long started = System.nanoTime();
    try {
      return attemptPublish();
    } finally {
      publishSeconds.add((System.nanoTime() - started) / 1e9);
    }
  }

  /**
   * The candidate is the moving average of the weights when the trainer keeps one ({@code
   * training.publish_average}), else the live weights: the guards judge what would be served.
   */
  private PublishReport attemptPublish() {
    if (average == null) {
      return attemptPublish(
          model.liveParameters(), () -> WeightSnapshot.copyOf(model.block(), model.device()));
    }
    WeightSnapshot averaged = average.snapshot(model.block(), model.device());
    try {
      // the registry keeps its own reference when it publishes
      return attemptPublish(averaged.parameterStore(), averaged::retain);
    } finally {
      averaged.release();
    }
  }

  private PublishReport attemptPublish(
      ai.djl.training.ParameterStore candidateWeights,
      java.util.function.Supplier<WeightSnapshot> toPublish) {
    if (base == null) {
      base = summarise(reference.weights(), reference.version());
      publishedReplies = base.replies();
    }
    long sampling = System.nanoTime();
    Sampled candidate = summarise(candidateWeights, registry.currentVersion());
    double sampleMillis = (System.nanoTime() - sampling) / 1e6;
    // mean P(👍) under the learned reward model, once it is accurate enough to be believed
    double meanReward = Double.NaN;
    double previousMeanReward = Double.NaN;
    if (rewardLearner != null && rewardLearner.ready() && publishedReplies != null) {
      meanReward = meanLikelihood(candidate.replies());
      previousMeanReward = meanLikelihood(publishedReplies);
    }
    // how the candidate and the served version rank people's held-out pairs, on the same pairs
    // (the reference's and the served version's scores are kept between attempts)
    double accuracy = Double.NaN;
    double previousAccuracy = Double.NaN;
    List<PreferencePair> heldOut =
        heldOutPairs.next(sampler.heldOutFeedback(HELD_OUT_PAIRS)).stream()
            .map(FeedbackPair::asPreferencePair)
            .toList();
    double[] candidateHeldOut = null;
    double candidateHeldOutMillis = 0;
    long scoringHeldOut = System.nanoTime();
    heldOutLogProbs.retainOnly(heldOut);
    if (heldOut.size() >= MIN_HELD_OUT_PAIRS) {
      double[] ref = heldOutLogProbs.reference(heldOut);
      long candidateScoring = System.nanoTime();
      candidateHeldOut = heldOutLogProbs.score(heldOut, candidateWeights);
      candidateHeldOutMillis = (System.nanoTime() - candidateScoring) / 1e6;
      accuracy = heldOutAccuracy(candidateHeldOut, ref);
      PublishedModel served = registry.acquire();
      try {
        previousAccuracy =
            heldOutAccuracy(
                heldOutLogProbs.served(
                    heldOut, served.version(), served.weights().parameterStore()),
                ref);
      } finally {
        served.weights().release();
      }
    }
    double heldOutMillis = (System.nanoTime() - scoringHeldOut) / 1e6;
    SampleSummary[] compared =
        SampleSummary.atEqualWordCounts(
            candidate.summary(), candidate.texts(), base.summary(), base.texts());
    double secondLookMillis = 0;
    if (Guards.closeCall(compared[0], compared[1], settings.guardBounds())) {
      long looking = System.nanoTime();
      compared = secondLook(candidate, candidateWeights);
      secondLookMillis = (System.nanoTime() - looking) / 1e6;
    }
    GuardReport guards =
        Guards.evaluate(
            compared[0],
            compared[1],
            accuracy,
            previousAccuracy,
            heldOut.size(),
            meanReward,
            previousMeanReward,
            settings.guardBounds());
    String parts =
        attemptParts(
            sampleMillis,
            candidate.referenceMillis(),
            heldOut.size(),
            heldOutMillis,
            candidateHeldOutMillis,
            secondLookMillis);
    if (!guards.passed()) {
      LOG.warn("step {}: publish skipped, guards failed: {} ({})", step, guards.failures(), parts);
      if (settings.rollbackOnGuardFailure()) {
        PublishedModel served = registry.acquire();
        try {
          served.weights().copyInto(model.block());
        } finally {
          served.weights().release();
        }
        if (average != null) {
          average.resetTo(model.block());
        }
        // the served version is a few steps back: the gradient scales still hold
        optimizer.restartMomentum();
        unpublishedSteps = false;
      }
      lastPublish =
          new PublishReport(
              step,
              false,
              registry.currentVersion(),
              guards,
              0,
              sampleMillis + secondLookMillis,
              heldOutMillis);
      return lastPublish;
    }
    long start = System.nanoTime();
    WeightSnapshot snapshot = toPublish.get();
    long version = registry.highestVersion() + 1;
    long parent = registry.currentVersion();
    registry.publish(version, snapshot);
    unpublishedSteps = false;
    double millis = (System.nanoTime() - start) / 1e6;
    publishedReplies = candidate.replies();
    if (candidateHeldOut != null) {
      heldOutLogProbs.published(version, heldOut, candidateHeldOut);
    }
    // persist after the swap: serving never waits for the disk
    long saving = System.nanoTime();
    PublishedModel served = registry.acquire();
    try {
      versions.save(
          version,
          model,
          served.weights(),
          version,
          parent,
          Map.of("step", step, "guards", guards.checks().toString()),
          null);
    } finally {
      served.weights().release();
    }
    lastPublish =
        new PublishReport(step, true, version, guards, millis, sampleMillis, heldOutMillis);
    LOG.info(
        "step {}: published version {} in {} ms ({}, saved in {} ms)",
        step,
        version,
        String.format("%.1f", millis),
        parts,
        String.format("%.0f", (System.nanoTime() - saving) / 1e6));
    return lastPublish;
  }

  /** What each part of a publish attempt took, for its log line (docs/benchmarks.md). */
  private static String attemptParts(
      double sampleMillis,
      double referenceMillis,
      int heldOutPairs,
      double heldOutMillis,
      double candidateHeldOutMillis,
      double secondLookMillis) {
    String parts =
        String.format(
            "guard replies %.0f ms, their reference log-probs %.0f ms, %d held-out pairs %.0f ms,"
                + " the candidate's %.0f ms",
            sampleMillis, referenceMillis, heldOutPairs, heldOutMillis, candidateHeldOutMillis);
    return secondLookMillis > 0
        ? parts + String.format(", a second look at the replies %.0f ms", secondLookMillis)
        : parts;
  }

  /**
   * An operator's publish: the same guarded attempt as the periodic one, now (for instance before
   * an evaluation, so that the steps since the last periodic publish are not left out).
   *
   * @return the attempt's report, or empty when the live weights hold no step that the served
   *     version lacks
   */
  public Optional<PublishReport> publishNow() {
    return unpublishedSteps ? Optional.of(publishIfHealthy()) : Optional.empty();
  }

  /** Chosen then rejected reply of each pair, as scored sequences. */
  private List<SequenceScorer.Example> heldOutExamples(List<PreferencePair> pairs) {
    List<SequenceScorer.Example> examples = new ArrayList<>(2 * pairs.size());
    for (PreferencePair pair : pairs) {
      examples.add(ChatEncoding.chosen(model.tokenizer(), pair.prompt(), pair));
      examples.add(ChatEncoding.rejected(model.tokenizer(), pair.prompt(), pair));
    }
    return examples;
  }

  /**
   * The share of held-out pairs that a version ranks as people did by its implicit reward ({@link
   * PreferenceAccuracy}), from ℓ of each pair's chosen and rejected reply (interleaved) under the
   * version and under the reference.
   */
  private static double heldOutAccuracy(double[] policy, double[] ref) {
    int n = policy.length / 2;
    double[] policyChosen = new double[n];
    double[] policyRejected = new double[n];
    double[] refChosen = new double[n];
    double[] refRejected = new double[n];
    for (int i = 0; i < n; i++) {
      policyChosen[i] = policy[2 * i];
      policyRejected[i] = policy[2 * i + 1];
      refChosen[i] = ref[2 * i];
      refRejected[i] = ref[2 * i + 1];
    }
    return PreferenceAccuracy.of(policyChosen, policyRejected, refChosen, refRejected);
  }

  /** A version's guard samples: their statistics, and the replies for the reward guard. */
  private record Sampled(SampleSummary summary, List<PromptReply> replies, double referenceMillis) {
    List<String> texts() {
      return replies.stream().map(PromptReply::reply).toList();
    }
  }

  /** Mean σ(r) of the replies: the reward model's probability of a 👍, in [0, 1]. */
  private double meanLikelihood(List<PromptReply> replies) {
    double sum = 0;
    for (double r : rewardLearner.score(replies)) {
      sum += 1 / (1 + Math.exp(-r));
    }
    return sum / replies.size();
  }

  /**
   * Samples two replies to each guard prompt and summarises them. The KL estimate comes from each
   * prompt's first reply alone: the reference's log-probs of the replies were 43% of the guards'
   * sampling time in the demo (2.4 of 5.6 s per attempt on average in run 89, docs/benchmarks.md),
   * and the KL guard's bound (20 nats per reply) sits far above the estimates that versions reach
   * in a demo (2.5-9 nats, runs 81, 82 and 87), so the half that the other reply would add to its
   * precision buys nothing. The other statistics count every reply.
   */
  private Sampled summarise(ai.djl.training.ParameterStore weights, long version) {
    List<RolloutPair> pairs = rollouts.sample(guardPrompts, weights, version, GUARD_SEED, 1.0);
    List<PromptReply> scored = new ArrayList<>();
    List<SequenceScorer.Example> firstReplies = new ArrayList<>();
    double[] policy = new double[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      RolloutPair pair = pairs.get(i);
      scored.add(new PromptReply(pair.prompt(), pair.first().text()));
      scored.add(new PromptReply(pair.prompt(), pair.second().text()));
      firstReplies.add(pair.firstExample());
      policy[i] = pair.first().sampledLogProb();
    }
    List<String> replies = scored.stream().map(PromptReply::reply).toList();
    long scoring = System.nanoTime();
    double kl = SampleStatistics.klEstimate(policy, reference.sumLogProbs(firstReplies));
    return new Sampled(
        SampleSummary.of(replies, kl), List.copyOf(scored), (System.nanoTime() - scoring) / 1e6);
  }

  /**
   * The candidate's and the base's statistics over both looks at the guard prompts: the first
   * look's replies and as many more under {@link #SECOND_LOOK_SEED} (the base's sampled once), at
   * equal word counts. The KL estimates stay the first look's (its guard is nowhere near its
   * bound).
   */
  private SampleSummary[] secondLook(
      Sampled candidate, ai.djl.training.ParameterStore candidateWeights) {
    if (baseSecondLook == null) {
      baseSecondLook = guardReplies(reference.weights(), reference.version(), SECOND_LOOK_SEED);
    }
    List<String> candidateReplies = new ArrayList<>(candidate.texts());
    candidateReplies.addAll(
        guardReplies(candidateWeights, registry.currentVersion(), SECOND_LOOK_SEED));
    List<String> baseReplies = new ArrayList<>(base.texts());
    baseReplies.addAll(baseSecondLook);
    return SampleSummary.atEqualWordCounts(
        SampleSummary.of(candidateReplies, candidate.summary().klEstimate()),
        candidateReplies,
        SampleSummary.of(baseReplies, base.summary().klEstimate()),
        baseReplies);
  }

  /** Two replies to each guard prompt, as text. */
  private List<String> guardReplies(
      ai.djl.training.ParameterStore weights, long version, long seed) {
    List<String> replies = new ArrayList<>();
    for (RolloutPair pair : rollouts.sample(guardPrompts, weights, version, seed, 1.0)) {
      replies.add(pair.first().text());
      replies.add(pair.second().text());
    }
    return replies;
  }

  // ---------------------------------------------------------------- checkpoints

  /** Writes a training checkpoint (weights, optimizer moments, sampler cursors, step). */
  public void checkpoint() {
    long started = System.nanoTime();
    WeightSnapshot weights = WeightSnapshot.copyOf(model.block(), model.device());
    try {
      Checkpoint.Writer extra =
          new Checkpoint.Writer()
              .arrays(OPTIMIZER_FILE, optimizer.state())
              .json(
                  STATE_FILE,
                  new TrainerState(
                      step,
                      optimizer.step(),
                      sampler.state(),
                      registry.currentVersion(),
                      optimizer.momentumSteps()));
      if (rewardLearner != null) {
        rewardLearner.writeTo(extra);
      }
      if (average != null) {
        extra.arrays(WeightAverage.FILE, average.arrays());
      }
      checkpoints.save(
          step,
          model,
          weights,
          registry.currentVersion(),
          registry.currentVersion(),
          Map.of("step", step),
          extra);
    } finally {
      weights.release();
      checkpointSeconds.add((System.nanoTime() - started) / 1e9);
    }
  }

  /** Where this trainer's time went since it was built (safe from any thread). */
  public TrainingTime timeSpent() {
    return new TrainingTime(
        rewardModelSeconds.sum(),
        dataSeconds.sum(),
        updateSeconds.sum(),
        publishSeconds.sum(),
        checkpointSeconds.sum());
  }

  /**
   * Continues from the newest usable training checkpoint, if any: live weights, optimizer moments,
   * sampler cursors and step count. A checkpoint that is corrupt, truncated or does not fit this
   * model is reported by file name and the previous one is used ({@link
   * CheckpointStore#loadNewest}).
   *
   * @return the step resumed at
   */
  public Optional<Long> resume() {
    Optional<Saved> found = checkpoints.loadNewest(this::read);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    // everything is read and checked; only now change the trainer's state
    try (Saved saved = found.get()) {
      saved.weights().copyInto(model.block());
      if (settings.publishAverage() > 0) {
        restoreAverage(saved.directory());
      }
      optimizer.restore(
          saved.optimizer(), saved.state().optimizerStep(), saved.state().momentumSteps());
      sampler.restore(saved.state().sampler());
      step = saved.state().step();
      // the checkpoint may hold steps taken after the served version was published
      unpublishedSteps = step > 0;
      // the checkpoint's files, the reward model's included, were verified against its hashes
      if (rewardLearner != null && !rewardLearner.restoreFrom(saved.directory())) {
        LOG.info("{} has no reward model; it starts from its initial weights", saved.directory());
      }
      LOG.info("resumed training at step {} from {}", step, saved.directory());
    }
    return Optional.of(step);
  }

  /**
   * The moving average as the checkpoint saved it, or, from a checkpoint written without one, the
   * resumed weights.
   */
  private void restoreAverage(Path directory) {
    if (average == null) {
      average = WeightAverage.startingAt(model.block(), model.device(), settings.publishAverage());
    }
    Path file = directory.resolve(WeightAverage.FILE);
    if (!java.nio.file.Files.exists(file)) {
      LOG.info("{} has no weight average; it starts at the resumed weights", directory);
      average.resetTo(model.block());
      return;
    }
    try (NDManager scratch = model.manager().newSubManager()) {
      average.restore(model.block(), Checkpoint.readArrays(file, scratch), model.device());
    }
  }

  /** A training checkpoint read into memory, not yet applied. */
  private record Saved(
      Path directory,
      WeightSnapshot weights,
      TrainerState state,
      NDList optimizer,
      NDManager scratch)
      implements AutoCloseable {
    @Override
    public void close() {
      weights.release();
      scratch.close();
    }
  }

  /** Reads a training checkpoint and checks that its optimizer moments fit this model. */
  private Saved read(CheckpointStore.Found found) {
    Path dir = found.directory();
    TrainerState state = Checkpoint.readJson(dir.resolve(STATE_FILE), TrainerState.class);
    WeightSnapshot weights =
        WeightSnapshot.read(dir.resolve(Checkpoint.WEIGHTS), model.block(), model.device());
    NDManager scratch = model.manager().newSubManager();
    try {
      Path optimizerFile = dir.resolve(OPTIMIZER_FILE);
      NDList moments = Checkpoint.readArrays(optimizerFile, scratch);
      Map<String, ai.djl.ndarray.types.Shape> shapes = new LinkedHashMap<>();
      model
          .block()
          .getParameters()
          .forEach(p -> shapes.put(p.getKey(), p.getValue().getArray().getShape()));
      for (NDArray moment : moments) {
        String name = moment.getName() == null ? "" : moment.getName();
        ai.djl.ndarray.types.Shape expected =
            name.length() > 2 ? shapes.get(name.substring(2)) : null;
        if (!(name.startsWith("m/") || name.startsWith("v/"))
            || !moment.getShape().equals(expected)) {
          throw new CheckpointException(
              optimizerFile,
              "moment '"
                  + name
                  + "' "
                  + moment.getShape()
                  + " does not fit this model's parameters");
        }
      }
      return new Saved(dir, weights, state, moments, scratch);
    } catch (RuntimeException e) {
      weights.release();
      scratch.close();
      throw e;
    }
  }

  /**
   * Serves version {@code version} again and continues training from it.
   *
   * @throws IllegalArgumentException if that version is not kept on disk
   */
  public void rollbackTo(long version) {
    Path dir = versions.pathOf(version);
    try {
      Checkpoint.verify(dir);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "version " + version + " is not available for rollback: " + e.getMessage(), e);
    }
    WeightSnapshot snapshot =
        WeightSnapshot.read(dir.resolve(Checkpoint.WEIGHTS), model.block(), model.device());
    snapshot.copyInto(model.block());
    if (average != null) {
      average.resetTo(model.block());
    }
    optimizer.reset();
    registry.rollbackTo(version, snapshot);
    unpublishedSteps = false;
    publishedReplies = null; // they belong to a later version; the next publish sets them again
  }

  @Override
  public void close() {
    optimizer.close();
    if (average != null) {
      average.close();
    }
  }
}
