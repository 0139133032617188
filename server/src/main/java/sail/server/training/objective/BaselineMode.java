package sail.server.training.objective;

/** The baseline b subtracted from s in term A, to reduce its variance (sail-objective.md, §4). */
public enum BaselineMode {
  /** b = 0. */
  NONE,
  /** b = mean of s over the rows of the batch whose route carries term A (0 if there are none). */
  BATCH_MEAN
}
