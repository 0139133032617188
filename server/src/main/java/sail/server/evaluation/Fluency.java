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
 */
public record Fluency(int replies, double repetitionRate, double distinctWordRatio) {
  public static Fluency of(List<String> replies) {
    return new Fluency(
        replies.size(),
        SampleStatistics.repetitionRate(replies),
        SampleStatistics.distinctWordRatio(replies));
  }
}
