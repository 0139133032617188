package sail.server.training.guard;

import java.util.List;

/**
 * The guard statistics of one model version on one set of held-out prompts.
 *
 * @param samples replies measured
 * @param klEstimate KL(π ‖ π_ref) in nats per reply (0 for the reference itself)
 * @param repetitionRate share of replies with a word of ≥ 3 letters used ≥ 3 times
 * @param distinctWordRatio distinct words / words over all replies
 * @param printableShare share of printable characters
 * @param dictionaryShare mean share of a reply's words found in the dictionary
 */
public record SampleSummary(
    int samples,
    double klEstimate,
    double repetitionRate,
    double distinctWordRatio,
    double printableShare,
    double dictionaryShare) {

  /**
   * Summarises replies with their policy and reference log-probs (see {@link SampleStatistics}).
   */
  public static SampleSummary of(
      List<String> replies, double[] policySums, double[] referenceSums) {
    if (replies.size() != policySums.length) {
      throw new IllegalArgumentException(
          replies.size() + " replies for " + policySums.length + " log-probs");
    }
    return new SampleSummary(
        replies.size(),
        SampleStatistics.klEstimate(policySums, referenceSums),
        SampleStatistics.repetitionRate(replies),
        SampleStatistics.distinctWordRatio(replies),
        SampleStatistics.printableShare(replies),
        SampleStatistics.dictionaryShare(replies));
  }
}
