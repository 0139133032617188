package sail.server.evaluation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sail.server.training.guard.SampleStatistics;

/**
 * How fluent one side's replies are, by the statistics that caught reward hacking in
 * alignment-facts.md (see {@link SampleStatistics}).
 *
 * @param replies replies measured
 * @param repetitionRate share of replies with a word of three or more letters used three or more
 *     times
 * @param distinctWordRatio distinct words among the first {@code comparedWords} words of the
 *     replies: what {@link #within} compares, so that two sides are measured on equally many words
 * @param comparedWords how many words {@code distinctWordRatio} counts
 * @param pooledDistinctWordRatio distinct words over all words of all replies; it falls as replies
 *     get longer, even when their vocabulary does not narrow
 * @param dictionaryShare mean share of a reply's words found in the dictionary
 */
public record Fluency(
    int replies,
    double repetitionRate,
    double distinctWordRatio,
    int comparedWords,
    double pooledDistinctWordRatio,
    double dictionaryShare) {

  /**
   * The replies' fluency with the distinct-word ratio counted over their first {@code
   * comparedWords} words (the other side's word count, when it has fewer).
   *
   * @param words the replies' word count (already counted by the caller)
   */
  private static Fluency of(List<String> replies, int words, int comparedWords) {
    return new Fluency(
        replies.size(),
        SampleStatistics.repetitionRate(replies),
        SampleStatistics.distinctWordRatio(replies, comparedWords),
        Math.min(words, comparedWords),
        SampleStatistics.distinctWordRatio(replies),
        SampleStatistics.dictionaryShare(replies));
  }

  /**
   * Both sides' fluency, their distinct-word ratios counted over equally many words: a type-token
   * ratio falls as the sample grows, so a side whose replies are longer would otherwise read as
   * less varied for that alone.
   *
   * @return the candidate's fluency, then the reference's
   */
  public static List<Fluency> compared(List<String> candidate, List<String> reference) {
    int candidateWords = SampleStatistics.wordCount(candidate);
    int referenceWords = SampleStatistics.wordCount(reference);
    int compared = Math.max(1, Math.min(candidateWords, referenceWords));
    return List.of(
        of(candidate, candidateWords, compared), of(reference, referenceWords, compared));
  }

  /** The measures under the names reports use, in a fixed order. */
  public Map<String, Object> fields() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("repetition_rate", repetitionRate);
    fields.put("distinct_word_ratio", distinctWordRatio);
    fields.put("distinct_words_counted", comparedWords);
    fields.put("distinct_word_ratio_pooled", pooledDistinctWordRatio);
    fields.put("dictionary_share", dictionaryShare);
    return fields;
  }

  /**
   * Whether these replies stay within {@code tolerance} (relative) of {@code base}'s: distinct-word
   * ratio and dictionary share no more than that much lower, repetition rate no more than that much
   * higher (or at most one reply in a hundred more, when the base hardly repeats at all). Measure
   * both with {@link #compared} so that their distinct-word ratios count equally many words.
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
