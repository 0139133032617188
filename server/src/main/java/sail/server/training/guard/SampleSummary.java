package sail.server.training.guard;

import java.util.List;

/**
 * The guard statistics of one model version on one set of held-out prompts.
 *
 * @param samples replies measured
 * @param klEstimate KL(π ‖ π_ref) in nats per reply (0 for the reference itself)
 * @param repetitionRate share of replies with a word of ≥ 3 letters used ≥ 3 times
 * @param distinctWordRatio distinct words / words over all replies (or over their first N words:
 *     {@link #atEqualWordCounts})
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
   * Summarises replies, with a KL estimate made on them or on a subset of them ({@link
   * SampleStatistics#klEstimate}).
   */
  public static SampleSummary of(List<String> replies, double klEstimate) {
    return new SampleSummary(
        replies.size(),
        klEstimate,
        SampleStatistics.repetitionRate(replies),
        SampleStatistics.distinctWordRatio(replies),
        SampleStatistics.printableShare(replies),
        SampleStatistics.dictionaryShare(replies));
  }

  /** This summary with {@code ratio} as its distinct-word ratio (e.g. one at an equal count). */
  public SampleSummary withDistinctWordRatio(double ratio) {
    return new SampleSummary(
        samples, klEstimate, repetitionRate, ratio, printableShare, dictionaryShare);
  }

  /**
   * The candidate's and the base's summaries with their distinct-word ratios counted over equally
   * many words — the first N words of each side's replies, N the smaller side's word count — as the
   * demo's fluency measure counts them (docs/demo.md): a ratio of distinct words to words falls as
   * replies grow longer, and longer replies are not a narrower vocabulary. Unchanged when one side
   * has no words.
   *
   * @return {candidate, base}
   */
  public static SampleSummary[] atEqualWordCounts(
      SampleSummary candidate,
      List<String> candidateReplies,
      SampleSummary base,
      List<String> baseReplies) {
    int words =
        Math.min(
            SampleStatistics.wordCount(candidateReplies), SampleStatistics.wordCount(baseReplies));
    if (words < 1) {
      return new SampleSummary[] {candidate, base};
    }
    return new SampleSummary[] {
      candidate.withDistinctWordRatio(SampleStatistics.distinctWordRatio(candidateReplies, words)),
      base.withDistinctWordRatio(SampleStatistics.distinctWordRatio(baseReplies, words))
    };
  }
}
