package sail.server.training.reward;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.model.Checkpoint;
import sail.server.training.mixture.HeldOutSplit;
import sail.server.training.mixture.LabelStream;
import sail.server.training.mixture.ReplayWindow;
import sail.server.training.mixture.Seeds;

/**
 * The reward model of the DPR route, trained in the training loop on the feedback people log (issue
 * 4, item 3; sail-objective.md, section 3): each call to {@link #step()} takes one {@link
 * TrainableReward} step on a batch drawn from the recent ratings and choices, and every few steps
 * measures its accuracy on held-out feedback.
 *
 * <p>It labels fresh DPR samples only once it is {@link #ready()}, and then only pairs it scores
 * far enough apart ({@link #labelMargin()}): on held-out pairs that people ranked (choices, and
 * pairs of a 👍 and a 👎 reply) its order must agree with theirs with a Wilson 95% lower bound
 * above {@link Settings#readyAccuracy()}, over all pairs or over those it scores at least some gap
 * apart ({@link LabelMargin}). Ranking, because that is what its labels decide; the accuracy over
 * single ratings also rewards predicting the majority rating. A freshly initialised head is a coin
 * flip, and labels from a coin teach the policy nothing but noise.
 *
 * <p>Held-out feedback is a fixed share of ids (a hash of the id), so an example never moves
 * between the two sets as the window slides. Deterministic given the log: batches come from (seed,
 * step). Used from the training thread only.
 */
public final class RewardLearner implements RewardSource, AutoCloseable {
  static final String STATE_FILE = "reward.json";

  /**
   * @param batchSize feedback examples per reward-model step
   * @param learningRate AdamW learning rate of the reward model
   * @param clipNorm gradient-norm clip
   * @param windowPerStream recent examples kept per feedback stream (ratings, choices)
   * @param heldOutEvery one id in this many is held out for the accuracy metric
   * @param minTrainExamples no step before this many training examples exist
   * @param evaluateEvery reward-model steps between accuracy measurements
   * @param heldOutLimit most recent held-out examples the accuracy is measured on
   * @param readyAccuracy the ranking accuracy the Wilson lower bound must exceed before the model
   *     labels fresh DPR rows (over the pairs it labels: see {@link LabelMargin})
   * @param minLabelPairs the fewest held-out pairs a label margin is judged on
   * @param maxBackOff the most policy steps the model sits out after each of its own steps while it
   *     is not ready and its accuracy stopped improving (0: it steps with every policy step)
   * @param seed seeds the batch draws
   */
  public record Settings(
      int batchSize,
      double learningRate,
      double clipNorm,
      int windowPerStream,
      int heldOutEvery,
      int minTrainExamples,
      int evaluateEvery,
      int heldOutLimit,
      double readyAccuracy,
      int minLabelPairs,
      int maxBackOff,
      long seed) {
    public Settings {
      if (batchSize < 1
          || maxBackOff < 0
          || windowPerStream < 1
          || heldOutEvery < 2
          || minTrainExamples < 1
          || evaluateEvery < 1
          || heldOutLimit < 1
          || minLabelPairs < 1) {
        throw new IllegalArgumentException(
            "batchSize, windowPerStream, minTrainExamples, evaluateEvery, heldOutLimit and"
                + " minLabelPairs must be"
                + " >= 1, heldOutEvery >= 2 and maxBackOff >= 0");
      }
      if (!(learningRate > 0) || !(clipNorm > 0) || !(readyAccuracy >= 0 && readyAccuracy < 1)) {
        throw new IllegalArgumentException(
            "learningRate and clipNorm must be > 0 and readyAccuracy in [0, 1)");
      }
    }

    /**
     * For the transformer ({@link RewardModel}). Batch 8 per policy step, lr 5e-5, 2048 recent
     * examples per stream, one in 8 held out, accuracy over the last 256 held-out examples every 20
     * steps, ready once its accuracy is above 0.6 with 95% confidence on at least 32 pairs. Why
     * batch 8: a step's cost grows with its batch (batch 32 took 10 s on the shared 2-core machine
     * in {@code ./sail bench reward}, docs/benchmarks.md), and it runs on the trainer's thread
     * before every policy step. Why 0.6 and not merely better than a coin: its labels replace
     * people's, and the demo's simulated people agree with their hidden preference 67-77% of the
     * time (docs/experiment.md); a model that became "ready" at 0.574 (demo run 16, docs/demo.md)
     * swapped those labels for near-coin ones. Why every 20 steps: scoring 256 held-out examples is
     * a quarter of a policy step's work, and the reward model's share of each step (about a third,
     * demo run 17) is time the policy does not train. Why the back-off of up to 3 policy steps: for
     * the positive-sentiment users of the demo the model never became ready (held-out accuracy
     * 0.46-0.61 in runs 16-20) while taking 21% of the trainer's time (run 20, docs/demo.md);
     * sitting out while it does not improve gives most of that time to the policy, and an
     * improvement brings it back to every step at once.
     */
    public static Settings transformer(long seed) {
      return new Settings(8, 5e-5, 1.0, 2048, 8, 32, 20, 256, 0.6, 32, 3, seed);
    }

    /**
     * For the words model ({@link WordRewardModel}): batch 1024, Adam lr 0.05, measured every 5
     * steps on up to 1024 held-out examples, no back-off; window, split and readiness as for the
     * transformer. A step costs milliseconds, so it trains on large batches and is measured often
     * and on more examples (tighter bounds). The batch and learning rate are those that ranked the
     * held-out choices of demo run 50 best when replayed the way the trainer draws them (150 steps
     * of 1024 drawn with replacement: 0.62; batch 256: 0.61; lr 0.02: 0.61; docs/demo.md).
     */
    public static Settings words(long seed) {
      return new Settings(1024, 0.05, 1.0, 2048, 8, 32, 5, 1024, 0.6, 32, 0, seed);
    }

    /** The settings of a reward model of {@code kind} ({@link TrainableReward#KINDS}). */
    public static Settings of(String kind, long seed) {
      if (WordRewardModel.KIND.equals(kind)) {
        return words(seed);
      }
      if (RewardModel.KIND.equals(kind)) {
        return transformer(seed);
      }
      throw new IllegalArgumentException("unknown reward model kind '" + kind + "'");
    }
  }

  /**
   * What one call to {@link #step()} did.
   *
   * @param steps reward-model steps taken so far
   * @param trained whether this call took a step (false while too few examples exist, and while it
   *     sits out policy steps in its back-off)
   * @param loss the batch loss before the update; NaN without a step
   * @param trainExamples training examples in the window
   * @param heldOutExamples held-out examples in the window
   * @param accuracy the last held-out accuracy measured, or null before the first
   * @param ready whether the model labels fresh DPR rows
   * @param backOff policy steps it sits out after each of its own steps now (0: none)
   * @param margin which pairs it labels, while ready; null otherwise
   */
  public record Report(
      long steps,
      boolean trained,
      double loss,
      int trainExamples,
      int heldOutExamples,
      RewardAccuracy accuracy,
      boolean ready,
      int backOff,
      LabelMargin margin) {}

  /**
   * How far the Wilson lower bound must rise above its best to count as an improvement that ends a
   * back-off: on 256 held-out examples the accuracy's standard error is about 0.03, so smaller
   * rises are mostly noise (in demo run 21 they kept resetting the back-off: 88 reward steps in 109
   * policy steps).
   */
  static final double MIN_IMPROVEMENT = 0.02;

  private static final Logger LOG = LoggerFactory.getLogger(RewardLearner.class);

  private final TrainableReward model;
  private final List<RewardExample> offline;
  private final ReplayWindow<RewardLabel> window;
  private final Settings settings;
  private final HeldOutSplit split;
  private long steps;
  private RewardAccuracy accuracy;
  private LabelMargin margin;
  private boolean measureNow = true;
  // back-off while not ready and not improving: policy steps to sit out after each own step, how
  // many are left, and the best Wilson lower bound measured so far
  private int backOff;
  private int sitOut;
  private double bestLowerBound = Double.NEGATIVE_INFINITY;
  private int lastTrainExamples;
  private int lastHeldOutExamples;

  /**
   * @param model the reward model to train (its trunk usually copied from the base policy)
   * @param feedback the feedback streams (e.g. ratings and choices of the traffic log)
   */
  public RewardLearner(
      TrainableReward model, List<? extends LabelStream<RewardLabel>> feedback, Settings settings) {
    this(model, feedback, List.of(), settings);
  }

  /**
   * @param model the reward model to train (its trunk usually copied from the base policy)
   * @param feedback the feedback streams (e.g. ratings and choices of the traffic log)
   * @param offline labelled examples it also trains on from its first step, never held out: the
   *     offline preference pairs the policy trains on, when the server trusts them to carry its
   *     users' taste (readiness is still judged on people's held-out labels only)
   */
  public RewardLearner(
      TrainableReward model,
      List<? extends LabelStream<RewardLabel>> feedback,
      List<RewardExample> offline,
      Settings settings) {
    this.model = model;
    this.offline = List.copyOf(offline);
    this.settings = settings;
    this.split = new HeldOutSplit(settings.heldOutEvery());
    this.window = new ReplayWindow<>(feedback, RewardLabel::id, settings.windowPerStream());
  }

  /**
   * Reads new feedback, then takes one step when there is enough to learn from, unless the model is
   * sitting out this policy step in its back-off.
   */
  public Report step() {
    if (sitOut > 0) {
      sitOut--;
      return report(false, Double.NaN, lastTrainExamples, lastHeldOutExamples);
    }
    window.refresh();
    List<RewardExample> train = new ArrayList<>(offline);
    Map<String, List<RewardExample>> heldOutByStream = split(train);
    int heldOut = heldOutByStream.values().stream().mapToInt(List::size).sum();
    lastTrainExamples = train.size();
    lastHeldOutExamples = heldOut;
    if (train.size() < settings.minTrainExamples()) {
      return report(false, Double.NaN, train.size(), heldOut);
    }
    // uniform draws with replacement: every recent example is replayed until it leaves the window
    SplittableRandom random = new SplittableRandom(Seeds.mix(settings.seed(), steps));
    List<RewardExample> batch = new ArrayList<>(settings.batchSize());
    for (int i = 0; i < settings.batchSize(); i++) {
      batch.add(train.get(random.nextInt(train.size())));
    }
    double loss = model.trainStep(batch, (float) settings.learningRate(), settings.clipNorm());
    steps++;
    if ((measureNow || steps % settings.evaluateEvery() == 0) && heldOut > 0) {
      RewardAccuracy.Measured measured = RewardAccuracy.measure(model, recent(heldOutByStream), 0);
      accuracy = measured.accuracy();
      margin =
          LabelMargin.calibrate(
              measured.signedGaps(), settings.readyAccuracy(), settings.minLabelPairs());
      measureNow = false;
      double lower = accuracy.rankingLowerBound95();
      backOff = nextBackOff(backOff, ready(), lower > bestLowerBound + MIN_IMPROVEMENT);
      if (!Double.isNaN(lower)) {
        bestLowerBound = Math.max(bestLowerBound, lower);
      }
    }
    sitOut = backOff;
    return report(true, loss, train.size(), heldOut);
  }

  /**
   * The back-off after a measurement: none while the model is ready (its labels are in use) or just
   * raised its best lower bound by {@link #MIN_IMPROVEMENT}; otherwise twice the last, at least 1,
   * at most {@link Settings#maxBackOff()}.
   */
  int nextBackOff(int current, boolean ready, boolean improved) {
    if (ready || improved) {
      return 0;
    }
    return Math.min(settings.maxBackOff(), Math.max(1, 2 * current));
  }

  /** Whether the model ranks held-out replies well enough to label fresh DPR rows. */
  public boolean ready() {
    return margin != null;
  }

  /**
   * Which fresh pairs the model labels: those it scores at least the margin's gap apart; null while
   * it is not {@link #ready()}.
   */
  public LabelMargin labelMargin() {
    return margin;
  }

  /** The last held-out accuracy measured, or null before the first. */
  public RewardAccuracy accuracy() {
    return accuracy;
  }

  @Override
  public double[] score(List<PromptReply> items) {
    return model.score(items);
  }

  /**
   * Adds the reward model's weights, optimizer moments and cursors to a training checkpoint.
   *
   * @return {@code checkpoint}
   */
  public Checkpoint.Writer writeTo(Checkpoint.Writer checkpoint) {
    model.writeTo(checkpoint);
    return checkpoint.json(
        STATE_FILE, new RewardLearnerState(steps, model.optimizerStep(), window.cursors()));
  }

  /**
   * Continues from a training checkpoint written with {@link #writeTo}; a checkpoint written
   * without a reward model leaves this one as it is.
   *
   * <p>A checkpoint whose reward model is of the other kind (the configuration changed between
   * runs) leaves this one fresh: it then relearns from the feedback still in the log.
   *
   * @return whether the checkpoint held a reward model of this kind
   */
  public boolean restoreFrom(Path checkpoint) {
    if (!java.nio.file.Files.exists(checkpoint.resolve(STATE_FILE))) {
      return false;
    }
    RewardLearnerState state =
        Checkpoint.readJson(checkpoint.resolve(STATE_FILE), RewardLearnerState.class);
    if (!model.restoreFrom(checkpoint, state.optimizerStep())) {
      LOG.warn(
          "checkpoint {} holds a reward model of another kind than '{}'; this one starts afresh",
          checkpoint,
          model.kind());
      return false;
    }
    window.restore(state.cursors());
    steps = state.steps();
    accuracy = null;
    margin = null;
    measureNow = true;
    backOff = 0;
    sitOut = 0;
    bestLowerBound = Double.NEGATIVE_INFINITY;
    return true;
  }

  public long steps() {
    return steps;
  }

  @Override
  public void close() {
    model.close();
  }

  private Report report(boolean trained, double loss, int train, int heldOut) {
    return new Report(steps, trained, loss, train, heldOut, accuracy, ready(), backOff, margin);
  }

  /**
   * The held-out examples the accuracy is measured on: the most recent held-out examples of each
   * feedback stream, {@link Settings#heldOutLimit()} in all, shared evenly among the streams (so
   * that a busy stream of choices does not crowd the ratings out); as of the last step.
   */
  public List<RewardExample> heldOut() {
    return recent(split(new ArrayList<>()));
  }

  private List<RewardExample> recent(Map<String, List<RewardExample>> heldOutByStream) {
    return HeldOutSplit.mostRecent(heldOutByStream, settings.heldOutLimit());
  }

  /**
   * Adds the window's training examples to {@code train}; returns the held-out ones by stream, each
   * in id order (the window lists each stream's labels in id order, one stream after another).
   */
  private Map<String, List<RewardExample>> split(List<RewardExample> train) {
    Map<String, List<RewardExample>> heldOut = new LinkedHashMap<>();
    for (RewardLabel label : window.labels()) {
      if (isHeldOut(label)) {
        heldOut.computeIfAbsent(label.source(), k -> new ArrayList<>()).add(label.example());
      } else {
        train.add(label.example());
      }
    }
    return heldOut;
  }

  private boolean isHeldOut(RewardLabel label) {
    return split.holdsOut(label.source(), label.id());
  }
}
