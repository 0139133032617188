package sail.server.training.guard;

import java.util.ArrayList;
import java.util.List;

/**
 * Holds a candidate version's sample statistics against the base's and the last published version's
 * (alignment-facts.md, "Guards that would have stopped every bad run"). Pure.
 */
public final class Guards {
  private Guards() {}

  /**
   * One-sided 99% normal quantile. A trainer attempts a publish every few steps — about 11 times in
   * a 12-minute demo — and a refusal rolls back every step since the served version, so a 5% false
   * refusal per attempt (z 1.645) refuses a sound version in about 43% of runs (1 − 0.95¹¹; demo
   * runs 31 and 32 in docs/demo.md each lost 10 steps to drops of 0.17 on 64 pairs and 0.22 on
   * about 32); at 1% per attempt that is about 10% of runs.
   */
  static final double NOISE_Z = 2.326;

  /**
   * How far the held-out accuracy may fall on {@code pairs} pairs: the configured drop, or the
   * sampling noise of the difference if larger — a fall that noise alone would exceed in under 1%
   * of attempts ({@link #NOISE_Z}), with the difference's standard error taken as at most √(½/n)
   * (the two versions' errors counted as independent, which overstates it for versions a few steps
   * apart). On 33–37 pairs the fixed 0.10 refused three publishes in demo runs 24 and 25
   * (docs/demo.md) whose candidates then won; noise there is about 0.2.
   */
  public static double allowedAccuracyDrop(GuardBounds bounds, int pairs) {
    return pairs <= 0
        ? bounds.maxAccuracyDrop()
        : Math.max(bounds.maxAccuracyDrop(), NOISE_Z * Math.sqrt(0.5 / pairs));
  }

  /**
   * How near its bound, as a fraction of the base's ratio, a candidate's distinct-word ratio must
   * come for the guards to sample it again ({@link #closeCall}): about one standard deviation of
   * the fraction measured on 96 guard replies (see {@link GuardBounds#defaults()}).
   */
  public static final double CLOSE_CALL_MARGIN = 0.03;

  /**
   * How near its bound, in replies, a candidate's count of repeating replies must come for the
   * guards to sample it again: with 96 replies and the bound at 3%, two to four of them.
   */
  public static final double CLOSE_CALL_REPLIES = 1.5;

  /**
   * Whether the guards on the sample's fluency are too close to call on one sample of guard
   * replies: the candidate's distinct-word ratio lies within {@link #CLOSE_CALL_MARGIN} of its
   * bound, or its repetition rate within {@link #CLOSE_CALL_REPLIES} replies of its bound, either
   * side. With a taste that pulls the vocabulary in, versions spend the later part of a demo near
   * these bounds, where one sample both refuses sound versions and lets through ones past them:
   * demo run 100 (docs/demo.md) refused four of its last five candidates on the distinct-word
   * check, published the fifth, and that version's replies to the 800 evaluation prompts had 12%
   * fewer distinct words than the base's; run 102 refused 9 of 28 candidates, three of them for 3
   * repeating replies of 96 (a version at the fluency bound's 1.4% shows 3 or more in about one
   * attempt of six). A second sample of as many replies, pooled with the first, narrows the
   * measurement by a factor of about √2 where it decides something.
   *
   * @param candidate the candidate's statistics, counted at the same word count as {@code base}'s
   */
  public static boolean closeCall(SampleSummary candidate, SampleSummary base, GuardBounds bounds) {
    boolean repetition =
        Math.abs(candidate.repetitionRate() - repetitionBound(bounds, base)) * candidate.samples()
            <= CLOSE_CALL_REPLIES;
    if (!(base.distinctWordRatio() > 0)) {
      return repetition;
    }
    return repetition
        || Math.abs(candidate.distinctWordRatio() - distinctWordBound(bounds, base))
            < CLOSE_CALL_MARGIN * base.distinctWordRatio();
  }

  /** The highest repetition rate the guard allows: the bound, or the base's own rate if higher. */
  private static double repetitionBound(GuardBounds bounds, SampleSummary base) {
    return Math.max(bounds.maxRepetition(), base.repetitionRate());
  }

  /** The lowest distinct-word ratio the guard allows: a fraction of the base's. */
  private static double distinctWordBound(GuardBounds bounds, SampleSummary base) {
    return bounds.minDistinctFraction() * base.distinctWordRatio();
  }

  /**
   * Evaluates every guard that has the values it needs: the accuracy and reward guards are skipped
   * when the previous value is NaN (nothing published yet, or no reward model).
   *
   * @param candidate statistics of the candidate's samples
   * @param base statistics of the base (reference) model's samples on the same prompts
   * @param accuracy the candidate's held-out preference accuracy (NaN if not measured)
   * @param previousAccuracy the last published version's held-out accuracy (NaN if none)
   * @param heldOutPairs how many held-out pairs both accuracies were measured on
   * @param meanReward the candidate's mean reward on its samples (NaN if not measured)
   * @param previousMeanReward the last published version's mean reward (NaN if none)
   */
  public static GuardReport evaluate(
      SampleSummary candidate,
      SampleSummary base,
      double accuracy,
      double previousAccuracy,
      int heldOutPairs,
      double meanReward,
      double previousMeanReward,
      GuardBounds bounds) {
    List<GuardReport.Check> checks = new ArrayList<>();
    checks.add(GuardReport.Check.atMost(Guard.KL, candidate.klEstimate(), bounds.maxKl()));
    checks.add(
        GuardReport.Check.atMost(
            Guard.REPETITION, candidate.repetitionRate(), repetitionBound(bounds, base)));
    checks.add(
        GuardReport.Check.atLeast(
            Guard.DISTINCT_WORDS, candidate.distinctWordRatio(), distinctWordBound(bounds, base)));
    checks.add(
        GuardReport.Check.atLeast(
            Guard.PRINTABLE,
            candidate.printableShare(),
            Math.min(bounds.minPrintable(), base.printableShare() - GuardBounds.PRINTABLE_SLACK)));
    checks.add(
        GuardReport.Check.atLeast(
            Guard.DICTIONARY_WORDS,
            candidate.dictionaryShare(),
            bounds.minDictionaryFraction() * base.dictionaryShare()));
    if (!Double.isNaN(previousAccuracy) && !Double.isNaN(accuracy)) {
      checks.add(
          GuardReport.Check.atLeast(
              Guard.HELD_OUT_ACCURACY,
              accuracy,
              previousAccuracy - allowedAccuracyDrop(bounds, heldOutPairs)));
    }
    if (!Double.isNaN(previousMeanReward) && !Double.isNaN(meanReward)) {
      checks.add(
          GuardReport.Check.atLeast(
              Guard.MEAN_REWARD, meanReward, previousMeanReward - bounds.maxRewardDrop()));
    }
    return new GuardReport(checks);
  }
}
