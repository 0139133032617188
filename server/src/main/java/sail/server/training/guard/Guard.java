package sail.server.training.guard;

/** The checks a candidate version must pass before it is published. */
public enum Guard {
  /** KL(π ‖ π_ref) on the policy's own samples at most a bound. */
  KL,
  /** Repetition rate at most ~5% (or the base's own rate, if higher). */
  REPETITION,
  /** Distinct-word ratio at least a fraction (0.92) of the base's, over equally many words. */
  DISTINCT_WORDS,
  /** Printable share at least 0.99 (or a little under the base's, if lower). */
  PRINTABLE,
  /** Dictionary-word share at least a fraction (0.95) of the base's. */
  DICTIONARY_WORDS,
  /** Held-out preference accuracy not collapsing below the last published version's. */
  HELD_OUT_ACCURACY,
  /** Mean reward of the samples not dropping below the last published version's. */
  MEAN_REWARD
}
