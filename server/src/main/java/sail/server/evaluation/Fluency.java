package sail.server.evaluation;

import java.util.List;
import sail.server.training.guard.SampleStatistics;

/**
 * How fluent one side's replies are, by the statistics that caught reward hacking in
 * alignment-facts.md (see {@link SampleStatistics}).
 *
 * @param replies replies measured
 * @param repetitionRate share of replies with a word of three or more letters used three or more
 *     times
 * @param distinctWordRatio distinct words over all words of all replies
 * @param dictionaryShare mean share of a reply's words found in the dictionary
 */
public record Fluency(
    int replies, double repetitionRate, double distinctWordRatio, double dictionaryShare) {
  public static Fluency of(List<String> replies) {
    return new Fluency(
        replies.size(),
        SampleStatistics.repetitionRate(replies),
        SampleStatistics.distinctWordRatio(replies),
        SampleStatistics.dictionaryShare(replies));
  }

  /**
   * Whether these replies stay within {@code tolerance} (relative) of {@code base}'s: distinct-word
   * ratio and dictionary share no more than that much lower, repetition rate no more than that much
   * higher (or at most one reply in a hundred more, when the base hardly repeats at all).
   */
  public boolean within(Fluency base, double tolerance) {
    boolean repetition =
        repetitionRate
            <= Math.max(base.repetitionRate * (1 + tolerance), base.repetitionRate + 0.01);
    return repetition
        && distinctWordRatio >= base.distinctWordRatio * (1 - tolerance)
        && dictionaryShare >= base.dictionaryShare * (1 - tolerance);
  }
}
