package sail.server.training;

import sail.server.training.guard.GuardBounds;
import sail.server.training.objective.ObjectiveConfig;
import sail.server.training.rollout.PolicyRollouts;

/**
 * Settings of in-place SAIL training.
 *
 * @param objective the SAIL objective (β, mixture weights, coefficients, term-A form, clamp)
 * @param batchSize preference rows per optimiser step
 * @param lengthBatches the most batches of similar length a step's scored sequences are split into
 *     ({@link sail.server.model.SequenceScorer#collateByLength}; 1: one padded batch)
 * @param learningRate AdamW learning rate (constant)
 * @param nllAnchor α of the NLL anchor on chosen replies (RPO-style: + α · mean NLL per token of
 *     the chosen reply); alignment-facts.md found α = 1 kept a tiny model fluent
 * @param dialogueAnchor λ of the dialogue anchor: + λ · mean NLL per token of {@link
 *     DialogueAnchor#ROWS} people-written dialogue replies per step (0: off)
 * @param entropyFloor η of the entropy floor: + η · Σ_rows max(0, (1 − {@link
 *     #ENTROPY_FLOOR_SLACK})·H_ref − H_π) / Σ_rows tokens, H the summed entropy of the next-token
 *     distributions over a row's reply (0: off; see {@link #DEFAULT_ENTROPY_FLOOR})
 * @param clipNorm global gradient-norm clip
 * @param publishEvery steps between publish attempts (guards first)
 * @param checkpointEvery steps between training checkpoints
 * @param keepCheckpoints training checkpoints kept on disk
 * @param keepVersions published versions kept on disk (rollback targets)
 * @param guardPrompts held-out prompts sampled (twice each) for the publish guards
 * @param rollbackOnGuardFailure when a guard fails, reset the live weights to the served version
 *     and restart the optimizer's momentum ({@link AdamW#restartMomentum})
 * @param publishAverage d of the moving average of the weights that publishes serve instead of the
 *     last step's ({@link WeightAverage}; 0: off, the default)
 * @param rollouts sampling of fresh pairs
 * @param dprCandidates replies sampled per prompt of a fresh DPR row, of which the reward model
 *     labels the two it scores furthest apart ({@link #DEFAULT_DPR_CANDIDATES})
 * @param guardBounds bounds of the publish guards
 * @param maxQueuedRequests train only while the serving queue holds at most this many requests
 * @param seed seeds the mixture, rollouts and label draws
 */
public record TrainerSettings(
    ObjectiveConfig objective,
    int batchSize,
    int lengthBatches,
    double learningRate,
    double nllAnchor,
    double dialogueAnchor,
    double entropyFloor,
    double clipNorm,
    int publishEvery,
    int checkpointEvery,
    int keepCheckpoints,
    int keepVersions,
    int guardPrompts,
    boolean rollbackOnGuardFailure,
    double publishAverage,
    PolicyRollouts.Settings rollouts,
    int dprCandidates,
    GuardBounds guardBounds,
    int maxQueuedRequests,
    long seed) {

  public TrainerSettings {
    if (batchSize < 1
        || lengthBatches < 1
        || publishEvery < 1
        || checkpointEvery < 1
        || guardPrompts < 1) {
      throw new IllegalArgumentException(
          "batchSize, lengthBatches, publishEvery, checkpointEvery and guardPrompts must be >= 1");
    }
    if (!(learningRate > 0)
        || nllAnchor < 0
        || !(dialogueAnchor >= 0)
        || !(entropyFloor >= 0)
        || !(clipNorm > 0)) {
      throw new IllegalArgumentException(
          "learningRate and clipNorm must be > 0, nllAnchor, dialogueAnchor and entropyFloor >= 0");
    }
    if (!(publishAverage >= 0 && publishAverage < 1)) {
      throw new IllegalArgumentException(
          "publishAverage (the average's decay) must be in [0, 1), got " + publishAverage);
    }
    if (dprCandidates < 2) {
      throw new IllegalArgumentException(
          "dprCandidates must be >= 2 (a pair needs two replies), got " + dprCandidates);
    }
    if (keepCheckpoints < 1 || keepVersions < 1 || maxQueuedRequests < 0) {
      throw new IllegalArgumentException(
          "keepCheckpoints and keepVersions must be >= 1, maxQueuedRequests >= 0");
    }
  }

  /**
   * η of the entropy floor on our presets. Preference training sharpens the next-token
   * distributions (DPO's optimum raises the likelier phrasing, and the NLL anchor fits the chosen
   * replies), so the replies narrow to fewer words: positive-sentiment users narrowed the served
   * vocabulary by 11–15% in demo runs 40–42 (docs/demo.md). The floor pushes back only where the
   * policy has become more certain than the reference on the step's own replies; moving probability
   * to other words at equal entropy costs nothing. At η 1 it weighs like the NLL anchor (α 1): both
   * are means per reply token. η 2 with four DPR candidates ({@link #DEFAULT_DPR_CANDIDATES}) kept
   * the vocabulary within 1.3–3.7% where η 1 lost 10–12% with them (runs 63–66, and the family
   * users 2.5%, run 67). It is no licence for a larger step: at twice the learning rate the entropy
   * it holds up spread onto non-words (dictionary share 0.930 → 0.882, run 45).
   */
  public static final double DEFAULT_ENTROPY_FLOOR = 2.0;

  /**
   * How much more certain than the reference the policy may become on a reply before the entropy
   * floor pushes back: 10%, the issue's own fluency bound. Learning a taste concentrates
   * probability on the words that serve it: for positive-sentiment users (docs/demo.md) the floor
   * without slack kept the vocabulary (distinct words +1.4%) but won only 54.7% (run 43); 5% slack
   * 58.0% at +0.5% (run 44); 10% slack 59.1% at −6.8% (run 47), as much as without the floor
   * (59.2–59.6%, runs 40–41) without its −11 to −15%.
   */
  public static final double ENTROPY_FLOOR_SLACK = 0.10;

  /**
   * Replies sampled per prompt of a fresh DPR row ({@code training.dpr_candidates}): the reward
   * model labels the pair of them it scores furthest apart. Four rather than the authors' pair:
   * wider pairs are the ones its labels get right most often ({@code LabelMargin}). Alone they won
   * 60.9% and 59.5% for positive-sentiment users against about 59% with two, but narrowed the
   * vocabulary 10.2% and 12.0% (demo runs 63–64, docs/demo.md); with the entropy floor at η 2 they
   * won 60.1% and 61.0% within 1.3% and 3.7% (runs 65–66), and the family users 76.5% (run 67).
   * Sampling them takes about 20 s more of a demo run.
   */
  public static final int DEFAULT_DPR_CANDIDATES = 4;

  /**
   * Held-out prompts the publish guards sample, twice each ({@code training.guard_prompts}): 48, 96
   * replies. The distinct-word guard measures a version's vocabulary on them, and on 48 replies (24
   * prompts) its standard deviation of about 4% let a version 13.8% narrower than the base through
   * (demo run 68, docs/demo.md). With 48 prompts both positive-sentiment runs stayed fluent
   * (distinct words −4.0% and −7.1%, 59.8% and 60.4%, runs 71–72); the checks took about 50 s more
   * of a run's trainer time.
   */
  public static final int DEFAULT_GUARD_PROMPTS = 48;

  /**
   * Steps between guarded publishes ({@code training.publish_every}): 5. The users label replies of
   * the served version, so the sooner a step reaches them the fresher their next labels. In the
   * demo (docs/demo.md) publishing every 5 steps won 61.3%, 61.3%, 53.2% and 61.6% for the
   * positive-sentiment users (runs 77–78 and 80–81, fluent) against 59.8% and 60.4% every 10 (runs
   * 71–72) and 54.9% every 20 (run 76), though the checks then took 273–289 s of the trainer's ~690
   * s in a demo (184–204 s every 10): about 6 s an attempt on a quiet machine ({@code ./sail bench
   * train}), about 10 s beside serving.
   */
  public static final int DEFAULT_PUBLISH_EVERY = 5;

  /**
   * Defaults for the embedded model: the {@code default} preset (see {@link TrainingPreset}: β 0.3,
   * lr 6e-5) with the NLL anchor at α = 1. alignment-facts.md measured online DPO at lr 3e-5 and β
   * 0.1 as fluent for about 100 steps (and collapsing later, which the publish guards catch); at lr
   * 1e-4 and β 0.1 our demo failed the KL and repetition guards from step 20 on. Publish every
   * {@value #DEFAULT_PUBLISH_EVERY} steps.
   */
  public static TrainerSettings defaults() {
    return new TrainerSettings(
        TrainingPreset.DEFAULT.objective(),
        16,
        4,
        TrainingPreset.DEFAULT.learningRate(),
        1.0,
        0.0,
        DEFAULT_ENTROPY_FLOOR,
        1.0,
        DEFAULT_PUBLISH_EVERY,
        50,
        3,
        10,
        DEFAULT_GUARD_PROMPTS,
        true,
        0.0,
        PolicyRollouts.Settings.defaults(),
        DEFAULT_DPR_CANDIDATES,
        GuardBounds.defaults(),
        4,
        20240601L);
  }

  /**
   * The settings a server runs with: a preset's objective and anchors, batch size, schedule and
   * learning rate from the configuration, everything else at its default.
   *
   * @param lr the learning rate, or null for the preset's own
   * @param dialogueAnchor λ of the dialogue anchor, or null for the default's when the preset has
   *     the NLL anchor (ours) and none otherwise (the authors')
   * @param entropyFloor η of the entropy floor, or null for the default's when the preset has the
   *     NLL anchor and none otherwise
   * @param dprCandidates replies sampled per prompt of a fresh DPR row
   * @param guardPrompts held-out prompts the publish guards sample (twice each)
   * @param publishAverage d of the moving average that publishes serve (0: the live weights)
   */
  public static TrainerSettings forServer(
      TrainingPreset preset,
      int batch,
      int publish,
      int checkpoint,
      Double lr,
      Double dialogueAnchor,
      Double entropyFloor,
      int dprCandidates,
      int guardPrompts,
      double publishAverage) {
    TrainerSettings d = defaults();
    return new TrainerSettings(
        preset.objective(),
        batch,
        d.lengthBatches(),
        lr != null ? lr : preset.learningRate(),
        preset.nllAnchor() ? d.nllAnchor() : 0,
        dialogueAnchor != null ? dialogueAnchor : preset.nllAnchor() ? d.dialogueAnchor() : 0,
        entropyFloor != null ? entropyFloor : preset.nllAnchor() ? d.entropyFloor() : 0,
        d.clipNorm(),
        publish,
        checkpoint,
        d.keepCheckpoints(),
        d.keepVersions(),
        guardPrompts,
        d.rollbackOnGuardFailure(),
        publishAverage,
        d.rollouts(),
        dprCandidates,
        d.guardBounds(),
        d.maxQueuedRequests(),
        d.seed());
  }
}
