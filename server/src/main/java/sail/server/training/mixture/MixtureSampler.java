package sail.server.training.mixture;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import sail.server.training.objective.MixtureWeights;
import sail.server.training.objective.ObjectiveConfig;
import sail.server.training.objective.Route;

/**
 * Decides what each row of each training step is made of (sail-objective.md, section 3). Every row
 * takes a route independently with the mixture weights; offline DPO and DDP rows take the next
 * dataset pair, DPP rows the next prompt for fresh samples, and DPR rows either a logged pair a
 * person labelled (with probability {@link Settings#feedbackShare()}, drawn from the {@link
 * FeedbackPool} of recent labels within the staleness bound) or a prompt for fresh samples labelled
 * by the reward source. Without a reward source a DPR row that finds no label falls back to an
 * offline row, or is left out when there is no dataset (a step may then have fewer rows, or none:
 * the trainer waits for feedback).
 *
 * <p>Deterministic: step k's random draws come from a generator seeded by (seed, k), and datasets
 * are walked with {@link ShuffledCursor}s, so {@link #state()} after step k, restored into a new
 * sampler over the same sources, yields the same step k+1. Not thread-safe: the training thread
 * owns it.
 */
public final class MixtureSampler {
  /**
   * @param weights the probability of each route per row
   * @param feedbackShare the probability that a DPR row uses a logged human-labelled pair instead
   *     of fresh samples, when one is available; in [0, 1]
   * @param staleness how far a logged pair's generator may trail the current policy
   * @param freshDprRows whether a reward source labels fresh samples for DPR rows (a learned one
   *     may not be ready yet: see {@link MixtureSampler#next(int, long, boolean)})
   * @param seed seeds every draw of the run
   */
  public record Settings(
      MixtureWeights weights,
      double feedbackShare,
      StalenessBound staleness,
      boolean freshDprRows,
      long seed) {
    /** Default share of DPR rows taken from human feedback when it is available. */
    public static final double DEFAULT_FEEDBACK_SHARE = 0.5;

    public Settings {
      Objects.requireNonNull(weights, "weights");
      Objects.requireNonNull(staleness, "staleness");
      if (!(feedbackShare >= 0 && feedbackShare <= 1)) {
        throw new IllegalArgumentException(
            "feedbackShare must lie in [0, 1], got " + feedbackShare);
      }
    }

    /**
     * The mixture of {@code config} with the default feedback share and staleness bound, and fresh
     * DPR rows labelled by a reward source.
     */
    public static Settings of(ObjectiveConfig config, long seed) {
      return new Settings(
          config.mixture(), DEFAULT_FEEDBACK_SHARE, StalenessBound.DEFAULT, true, seed);
    }
  }

  /** Recent labels kept per feedback source for replay. */
  public static final int FEEDBACK_WINDOW = 256;

  /**
   * DPR rows draw from the most recent this many admitted labels, whatever their source — not from
   * every source's window alike. Why: with a window per source, 👍-vs-👎 pairs filled half the DPR
   * rows though people gave about one for every six choices, and they are the noisier labels (two
   * replies of different requests, each rated on its own): in demo run 51 the hidden preference
   * agreed with people's choices on 0.78 of held-out pairs and with their 👍-vs-👎 pairs on about
   * 0.65 ({@code ./sail bench reward --judge ...}: comparison accuracy 0.777, ranking 0.738 over
   * 265 choices and 121 rating pairs; docs/benchmarks.md). Drawing by recency gives each source its
   * share of what people label, and the labels of the versions served last.
   */
  public static final int FEEDBACK_DRAWS = 256;

  private final Settings settings;
  private final PreferenceSource pairs;
  private final PromptSource prompts;
  private final FeedbackPool feedback;
  private final ShuffledCursor pairCursor;
  private final ShuffledCursor promptCursor;
  private long step;
  // the people's labels the last planned step could draw from (for feedbackRow)
  private List<FeedbackPair> lastAdmitted = List.of();

  /**
   * @param pairs dataset pairs for offline DPO and DDP rows
   * @param prompts prompts for DPP and DPR fresh samples
   * @param feedback sources of human-labelled logged pairs for DPR rows (empty if none)
   * @throws IllegalArgumentException if a route with positive weight has nothing to draw from
   */
  public MixtureSampler(
      Settings settings,
      PreferenceSource pairs,
      PromptSource prompts,
      List<FeedbackPairs> feedback) {
    this.settings = settings;
    this.pairs = pairs;
    this.prompts = prompts;
    this.feedback = new FeedbackPool(feedback, FEEDBACK_WINDOW, HeldOutSplit.DEFAULT);
    MixtureWeights w = settings.weights();
    if (w.offline() + w.ddp() > 0 && pairs.size() == 0) {
      throw new IllegalArgumentException(
          "the mixture gives offline DPO / DDP rows a share of "
              + (w.offline() + w.ddp())
              + " but the dataset '"
              + pairs.name()
              + "' is empty");
    }
    double freshShare = w.dpp() + (settings.freshDprRows() ? w.dpr() : 0);
    if (freshShare > 0 && prompts.size() == 0) {
      throw new IllegalArgumentException(
          "the mixture gives rows of fresh samples a share of "
              + freshShare
              + " but there are no prompts for fresh samples");
    }
    if (w.dpr() > 0 && !settings.freshDprRows() && feedback.isEmpty()) {
      throw new IllegalArgumentException(
          "the mixture gives DPR rows a share of "
              + w.dpr()
              + " but there is neither a reward source nor logged feedback to label them");
    }
    long cursorSeed = Seeds.mix(settings.seed(), -1);
    this.pairCursor = new ShuffledCursor(cursorSeed, pairs.size());
    this.promptCursor = new ShuffledCursor(Seeds.mix(cursorSeed, -2), prompts.size());
  }

  /**
   * Plans the next step: {@code batchSize} rows in batch order, advancing the cursors.
   *
   * @param currentVersion the policy version being trained (for the staleness bound)
   */
  public StepPlan next(int batchSize, long currentVersion) {
    return next(batchSize, currentVersion, true);
  }

  /**
   * Plans the next step, with the reward source's readiness: a learned reward model that is not yet
   * accurate enough labels no fresh DPR rows, which then behave as without a reward source (a
   * person's label, else an offline row, else left out).
   *
   * @param rewardSourceReady whether the reward source may label fresh DPR rows this step
   */
  public StepPlan next(int batchSize, long currentVersion, boolean rewardSourceReady) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    RandomGenerator random = new SplittableRandom(Seeds.mix(settings.seed(), step));
    // the labels DPR rows may draw from this step: the version does not change within it
    List<FeedbackPair> admitted = List.of();
    int stale = 0;
    if (settings.weights().dpr() > 0) {
      feedback.refresh();
      List<FeedbackPair> withinBound = feedback.admitted(currentVersion, settings.staleness());
      stale = feedback.trainingPairs() - withinBound.size();
      admitted = FeedbackPool.mostRecent(withinBound, FEEDBACK_DRAWS);
    }
    lastAdmitted = admitted;
    List<PlannedRow> rows = new ArrayList<>(batchSize);
    for (int draw = 0; draw < batchSize; draw++) {
      Route route = settings.weights().sample(random);
      int slot = rows.size();
      PlannedRow row =
          switch (route) {
            case OFFLINE_DPO, DDP ->
                new PlannedRow.DatasetRow(slot, route, pairs.get(pairCursor.next()));
            case DPP -> new PlannedRow.FreshRow(slot, route, prompts.get(promptCursor.next()));
            case DPR -> dprRow(slot, random, currentVersion, admitted, rewardSourceReady);
          };
      if (row != null) {
        rows.add(row);
      }
    }
    StepPlan plan = new StepPlan(step, rows, stale);
    step++;
    return plan;
  }

  /** Where the sampler stands, for a checkpoint. */
  public SamplerState state() {
    return new SamplerState(
        step, pairCursor.position(), promptCursor.position(), feedback.cursors());
  }

  /** Continues from a state saved by {@link #state()} of a sampler over the same sources. */
  public void restore(SamplerState state) {
    pairCursor.restore(state.pairs());
    promptCursor.restore(state.prompts());
    step = state.step();
    feedback.restore(state.feedbackCursors());
  }

  public Settings settings() {
    return settings;
  }

  /**
   * The most recent people's labels held out of training (at most {@code limit}), as read by the
   * last planned step; empty while the mixture has no DPR rows.
   */
  public List<FeedbackPair> heldOutFeedback(int limit) {
    return feedback.heldOut(limit);
  }

  /**
   * A person's label for slot {@code slot} of the last planned step, for a fresh DPR row that the
   * reward source declined to label (it scored the two replies too close to call): drawn from the
   * labels that step could use, with draws of its own (seeded by the step and the slot), so the
   * rest of the plan is the same whether or not it is asked.
   *
   * @return the row, or null when the step had no people's labels to draw from
   */
  public PlannedRow.FeedbackRow feedbackRow(int slot, long currentVersion) {
    RandomGenerator random =
        new SplittableRandom(Seeds.mix(Seeds.mix(settings.seed() ^ 0xFEEDL, step), slot));
    FeedbackPair pair = FeedbackPool.draw(random, lastAdmitted);
    return pair == null
        ? null
        : new PlannedRow.FeedbackRow(slot, pair, StalenessBound.lag(pair, currentVersion));
  }

  /** A DPR row: a person's label, else fresh samples for the reward source, else a fallback. */
  private PlannedRow dprRow(
      int slot,
      RandomGenerator random,
      long version,
      List<FeedbackPair> admitted,
      boolean rewardSourceReady) {
    // always draw both, so that the availability of feedback does not shift later draws
    boolean wantFeedback = random.nextDouble() < settings.feedbackShare();
    FeedbackPair pair = FeedbackPool.draw(random, admitted);
    boolean fresh = settings.freshDprRows() && rewardSourceReady;
    if (pair != null && (wantFeedback || !fresh)) {
      return new PlannedRow.FeedbackRow(slot, pair, StalenessBound.lag(pair, version));
    }
    if (fresh) {
      return new PlannedRow.FreshRow(slot, Route.DPR, prompts.get(promptCursor.next()));
    }
    // no label and nothing to label with: train on the dataset meanwhile, or leave the row out
    return pairs.size() > 0
        ? new PlannedRow.DatasetRow(slot, Route.OFFLINE_DPO, pairs.get(pairCursor.next()))
        : null;
  }
}
