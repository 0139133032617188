package sail.server.evaluation;

/**
 * The result of one evaluation: a version against the reference on held-out prompts.
 *
 * @param version the evaluated version
 * @param referenceVersion the version it was compared with (the base)
 * @param judge the judge's name, e.g. {@code annotator:positive-sentiment}
 * @param seed seeded the replies of both sides (prompt i uses the same seed on both)
 * @param outcome wins, ties, losses, scores and fluency of both sides
 */
public record EvaluationReport(
    long version, long referenceVersion, String judge, long seed, HeadToHead outcome) {

  /** Prompts compared. */
  public int prompts() {
    return outcome.winRate().comparisons();
  }
}
