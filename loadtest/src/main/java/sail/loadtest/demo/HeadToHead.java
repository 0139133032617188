package sail.loadtest.demo;

import io.vertx.core.json.JsonObject;
import java.util.List;
import sail.loadtest.users.HiddenJudge;
import sail.server.evaluation.WinRate;
import sail.server.task.ReplyText;
import sail.server.task.WordDictionary;
import sail.server.training.guard.SampleStatistics;

/**
 * Compares two sets of replies to the same prompts (same seeds) under the hidden judge: the
 * win-rate of the candidate over the baseline (a tie counts ½), the mean hidden scores, and the
 * fluency statistics that show whether the candidate degenerated: repetition rate, distinct-word
 * ratio and dictionary-word share (alignment-facts.md: the checks that catch reward hacking).
 */
public final class HeadToHead {
  /** Scores closer than this are a tie. */
  static final double TIE = 1e-12;

  private HeadToHead() {}

  /** The fluency statistics of a set of replies. */
  public record Fluency(double repetitionRate, double distinctWordRatio, double dictionaryShare) {
    public static Fluency of(List<String> replies, WordDictionary dictionary) {
      double known = 0;
      for (String reply : replies) {
        double share = ReplyText.of(reply, dictionary).knownShare();
        known += Double.isNaN(share) ? 0 : share;
      }
      return new Fluency(
          SampleStatistics.repetitionRate(replies),
          SampleStatistics.distinctWordRatio(replies),
          replies.isEmpty() ? Double.NaN : known / replies.size());
    }

    /**
     * Whether this set stays within {@code tolerance} (relative) of {@code base}: distinct-word
     * ratio and dictionary share no more than that much lower, repetition rate no more than that
     * much higher (or at most one reply in a hundred more, when the base hardly repeats at all).
     */
    public boolean within(Fluency base, double tolerance) {
      boolean repetition =
          repetitionRate
              <= Math.max(base.repetitionRate * (1 + tolerance), base.repetitionRate + 0.01);
      return repetition
          && distinctWordRatio >= base.distinctWordRatio * (1 - tolerance)
          && dictionaryShare >= base.dictionaryShare * (1 - tolerance);
    }

    public JsonObject toJson() {
      return new JsonObject()
          .put("repetition_rate", repetitionRate)
          .put("distinct_word_ratio", distinctWordRatio)
          .put("dictionary_share", dictionaryShare);
    }
  }

  /**
   * The outcome of the comparison.
   *
   * @param winRate candidate vs baseline, prompt by prompt
   * @param meanScoreBase mean hidden score of the baseline's replies
   * @param meanScoreCandidate mean hidden score of the candidate's replies
   * @param base fluency of the baseline's replies
   * @param candidate fluency of the candidate's replies
   */
  public record Result(
      WinRate winRate,
      double meanScoreBase,
      double meanScoreCandidate,
      Fluency base,
      Fluency candidate) {}

  /** Compares {@code candidate.get(i)} with {@code baseline.get(i)} for every i. */
  public static Result compare(
      List<String> baseline, List<String> candidate, HiddenJudge judge, WordDictionary dictionary) {
    if (baseline.size() != candidate.size()) {
      throw new IllegalArgumentException(
          "replies to compare differ in number: " + baseline.size() + " vs " + candidate.size());
    }
    WinRate rate = new WinRate(0, 0, 0);
    double sumBase = 0;
    double sumCandidate = 0;
    for (int i = 0; i < baseline.size(); i++) {
      double b = judge.score(baseline.get(i));
      double c = judge.score(candidate.get(i));
      sumBase += b;
      sumCandidate += c;
      rate = rate.plus(Math.abs(c - b) < TIE ? 0 : c > b ? 1 : -1);
    }
    int n = Math.max(1, baseline.size());
    return new Result(
        rate,
        sumBase / n,
        sumCandidate / n,
        Fluency.of(baseline, dictionary),
        Fluency.of(candidate, dictionary));
  }
}
