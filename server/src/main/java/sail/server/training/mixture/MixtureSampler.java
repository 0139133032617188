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
 * person labelled (with probability {@link Settings#feedbackShare()}, when one within the staleness
 * bound is waiting) or a prompt for fresh samples labelled by the reward model.
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
   * @param seed seeds every draw of the run
   */
  public record Settings(
      MixtureWeights weights, double feedbackShare, StalenessBound staleness, long seed) {
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

    /** The mixture of {@code config} with the default feedback share and staleness bound. */
    public static Settings of(ObjectiveConfig config, long seed) {
      return new Settings(config.mixture(), DEFAULT_FEEDBACK_SHARE, StalenessBound.DEFAULT, seed);
    }
  }

  /** Logged pairs fetched per call to the feedback log. */
  private static final int FEEDBACK_FETCH = 16;

  private final Settings settings;
  private final PreferenceSource pairs;
  private final PromptSource prompts;
  private final FeedbackPairs feedback;
  private final ShuffledCursor pairCursor;
  private final ShuffledCursor promptCursor;
  private long step;
  private long lastFeedbackId;

  /**
   * @param pairs dataset pairs for offline DPO and DDP rows
   * @param prompts prompts for DPP and DPR fresh samples
   * @param feedback human-labelled logged pairs for DPR rows ({@link FeedbackPairs#NONE} if none)
   * @throws IllegalArgumentException if a route with positive weight has nothing to draw from
   */
  public MixtureSampler(
      Settings settings, PreferenceSource pairs, PromptSource prompts, FeedbackPairs feedback) {
    this.settings = settings;
    this.pairs = pairs;
    this.prompts = prompts;
    this.feedback = feedback;
    MixtureWeights w = settings.weights();
    if (w.offline() + w.ddp() > 0 && pairs.size() == 0) {
      throw new IllegalArgumentException(
          "the mixture gives offline DPO / DDP rows a share of "
              + (w.offline() + w.ddp())
              + " but the dataset '"
              + pairs.name()
              + "' is empty");
    }
    if (w.dpp() + w.dpr() > 0 && prompts.size() == 0) {
      throw new IllegalArgumentException(
          "the mixture gives DPP / DPR rows a share of "
              + (w.dpp() + w.dpr())
              + " but there are no prompts for fresh samples");
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
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    RandomGenerator random = new SplittableRandom(Seeds.mix(settings.seed(), step));
    List<PlannedRow> rows = new ArrayList<>(batchSize);
    int[] staleSkipped = new int[1];
    for (int slot = 0; slot < batchSize; slot++) {
      Route route = settings.weights().sample(random);
      rows.add(
          switch (route) {
            case OFFLINE_DPO, DDP ->
                new PlannedRow.DatasetRow(slot, route, pairs.get(pairCursor.next()));
            case DPP -> new PlannedRow.FreshRow(slot, route, prompts.get(promptCursor.next()));
            case DPR -> dprRow(slot, random, currentVersion, staleSkipped);
          });
    }
    StepPlan plan = new StepPlan(step, rows, staleSkipped[0]);
    step++;
    return plan;
  }

  /** Where the sampler stands, for a checkpoint. */
  public SamplerState state() {
    return new SamplerState(step, pairCursor.position(), promptCursor.position(), lastFeedbackId);
  }

  /** Continues from a state saved by {@link #state()} of a sampler over the same sources. */
  public void restore(SamplerState state) {
    pairCursor.restore(state.pairs());
    promptCursor.restore(state.prompts());
    step = state.step();
    lastFeedbackId = state.lastFeedbackId();
  }

  public Settings settings() {
    return settings;
  }

  private PlannedRow dprRow(int slot, RandomGenerator random, long version, int[] staleSkipped) {
    // always draw, so that the availability of feedback does not shift later draws
    boolean wantFeedback = random.nextDouble() < settings.feedbackShare();
    if (wantFeedback) {
      FeedbackPair pair = nextFreshFeedback(version, staleSkipped);
      if (pair != null) {
        return new PlannedRow.FeedbackRow(slot, pair, StalenessBound.lag(pair, version));
      }
    }
    return new PlannedRow.FreshRow(slot, Route.DPR, prompts.get(promptCursor.next()));
  }

  /** The next logged pair within the staleness bound, skipping (for good) those beyond it. */
  private FeedbackPair nextFreshFeedback(long version, int[] staleSkipped) {
    while (true) {
      List<FeedbackPair> batch = feedback.after(lastFeedbackId, FEEDBACK_FETCH);
      if (batch.isEmpty()) {
        return null;
      }
      for (FeedbackPair pair : batch) {
        lastFeedbackId = pair.id();
        if (settings.staleness().admits(pair, version)) {
          return pair;
        }
        // versions only grow, so a pair too old now stays too old
        staleSkipped[0]++;
      }
    }
  }
}
