package sail.server.training.guard;

/**
 * Limits of the publish guards, relative to the base where alignment-facts.md says so.
 *
 * @param maxRepetition repetition rate allowed (or the base's, if higher); facts: ~5%, and the
 *     default holds 3% (see {@link #defaults()})
 * @param minDistinctFraction distinct-word ratio allowed, as a fraction of the base's, both counted
 *     over equally many words ({@link SampleSummary#atEqualWordCounts}); facts: 0.8 stopped every
 *     collapse, the fluency bound is 0.9, and the guard holds 0.92 for its own sampling
 *     noise, sampling a second time when a candidate comes within 3 points of it ({@link
 *     Guards#closeCall})
 * @param maxKl KL(π ‖ π_ref) allowed, nats per reply
 * @param minPrintable printable share required (or the base's minus {@link #PRINTABLE_SLACK}, if
 *     lower); facts: 0.99
 * @param maxAccuracyDrop how far held-out preference accuracy may fall below the last published
 *     version's (more on few pairs: {@link Guards#allowedAccuracyDrop})
 * @param maxRewardDrop how far the mean reward of the samples may fall below the last published
 *     version's; the trainer measures it as the learned reward model's mean P(👍) = σ(r) of the
 *     guard replies, both versions' replies scored by the current reward model, so 0.05 is five
 *     points of 👍 probability
 * @param minDictionaryFraction dictionary-word share allowed, as a fraction of the base's
 */
public record GuardBounds(
    double maxRepetition,
    double minDistinctFraction,
    double maxKl,
    double minPrintable,
    double maxAccuracyDrop,
    double maxRewardDrop,
    double minDictionaryFraction) {
  /** Tolerance under a base whose own printable share is below {@code minPrintable}. */
  public static final double PRINTABLE_SLACK = 0.005;

  /**
   * The measured bounds of alignment-facts.md; the KL bound (20 nats per reply) and the drops are
   * starting points to tune on the default model. The dictionary share must stay within 5% of the
   * base's: a demo run whose versions passed every other guard at KL &lt; 20 fell from 0.92 to 0.77
   * and lost to the base 27% to 73% under the hidden annotator. The distinct-word ratio must stay
   * within 8% of the base's — the fluency bound of issue 5 is 10%, and 48 guard replies (about 430
   * words) measured the ratio with a standard deviation of about 4%, the 96 replies of today's
   * default {@code TrainerSettings.DEFAULT_GUARD_PROMPTS} about 3% — rather than the 20% at which
   * alignment-facts.md saw collapse begin: a users' taste for a topic narrowed the served replies'
   * vocabulary by 15% while every publish passed at 0.8 (demo run 35, docs/demo.md), and by 10.5%
   * on the demo's 800 prompts with the guard at 0.9 (run 38). The guard counts about 900 words of
   * guard replies, the demo's fluency measure 6,841 words of evaluation replies, and a vocabulary
   * that settles on a set of words shows more over the longer count: final versions that passed at
   * 0.92 had 12.2% and 15.0% fewer distinct words on the evaluation in runs 100 and 104, which
   * trained on more of people's labels than the default preset does. The repetition rate may reach
   * 3%, not the 5% of alignment-facts.md: the base repeats a word in 0.4% of its replies and the
   * fluency bound of issue 5 allows one point more, yet versions at 1.9% and 3.5% passed a 5% guard
   * (demo runs 54 and 82). On the guard's 96 replies a version at the base's rate shows 3 or more
   * repeating replies (over 3%) in under 1% of attempts (Poisson, λ 0.36), one at 3.5% in about two
   * of three.
   */
  public static GuardBounds defaults() {
    return new GuardBounds(0.03, 0.92, 20.0, 0.99, 0.10, 0.05, 0.95);
  }
}
