package sail.server.training.reward;

import java.util.ArrayList;
import java.util.List;

/**
 * How often the reward model agrees with held-out feedback, counted two ways.
 *
 * <ul>
 *   <li><b>Overall</b>: a rating is right when the sign of r matches 👍/👎, a comparison when
 *       r_chosen &gt; r_rejected.
 *   <li><b>Ranking</b>: comparisons as above, and the held-out ratings paired off — the i-th 👍
 *       with the i-th 👎, each rating in at most one pair — right when the 👍 reply scores higher.
 *       This is the task the reward model's labels serve (which of two replies is better), and it
 *       does not reward the base rate: when most ratings are 👎, a model that calls every reply 👎
 *       is right on most ratings but on none of the rating pairs. In the demo's family-topic runs
 *       (docs/demo.md) 👎 outnumbered 👍 about 16 to 1, and a reward model at 0.74–0.77 overall
 *       accuracy was judged ready and labelled fresh pairs.
 * </ul>
 *
 * @param ratingPairs held-out (👍, 👎) pairs formed from the ratings
 * @param ratingPairsRight pairs whose 👍 reply scored higher
 */
public record RewardAccuracy(
    int ratings,
    int ratingsRight,
    int comparisons,
    int comparisonsRight,
    int ratingPairs,
    int ratingPairsRight) {

  /** An accuracy without rating pairs (ratings judged one by one only). */
  public RewardAccuracy(int ratings, int ratingsRight, int comparisons, int comparisonsRight) {
    this(ratings, ratingsRight, comparisons, comparisonsRight, 0, 0);
  }

  /**
   * How often {@code source} agrees with {@code heldOut}: a 👍 is right when its score is above
   * {@code threshold} (0 for a reward model's logit r, ½ for a probability such as the simulated
   * annotator's), a 👎 when it is not; a comparison when the chosen reply scores higher; a rating
   * pair when its 👍 reply scores higher than its 👎 reply.
   */
  public static RewardAccuracy of(
      RewardSource source, List<RewardExample> heldOut, double threshold) {
    return measure(source, heldOut, threshold).accuracy();
  }

  /**
   * The accuracy of {@link #of}, and per ranked pair (comparisons, then rating pairs) the score of
   * the reply people preferred minus the score of the other, for {@link LabelMargin}.
   */
  public record Measured(RewardAccuracy accuracy, double[] signedGaps) {}

  /** {@link #of} with the ranked pairs' score gaps; scores every reply once. */
  public static Measured measure(
      RewardSource source, List<RewardExample> heldOut, double threshold) {
    List<PromptReply> replies = new ArrayList<>();
    for (RewardExample example : heldOut) {
      if (example instanceof RewardExample.Rating rating) {
        replies.add(new PromptReply(rating.prompt(), rating.reply()));
      } else if (example instanceof RewardExample.Comparison comparison) {
        replies.add(new PromptReply(comparison.prompt(), comparison.chosen()));
        replies.add(new PromptReply(comparison.prompt(), comparison.rejected()));
      }
    }
    double[] scores = source.score(replies);
    int ratings = 0;
    int ratingsRight = 0;
    int comparisons = 0;
    int comparisonsRight = 0;
    List<Double> gaps = new ArrayList<>();
    List<Double> liked = new ArrayList<>();
    List<Double> disliked = new ArrayList<>();
    int next = 0;
    for (RewardExample example : heldOut) {
      if (example instanceof RewardExample.Rating rating) {
        ratings++;
        double score = scores[next++];
        if ((score > threshold) == rating.liked()) {
          ratingsRight++;
        }
        (rating.liked() ? liked : disliked).add(score);
      } else {
        comparisons++;
        gaps.add(scores[next] - scores[next + 1]);
        if (scores[next] > scores[next + 1]) {
          comparisonsRight++;
        }
        next += 2;
      }
    }
    int ratingPairs = Math.min(liked.size(), disliked.size());
    int ratingPairsRight = 0;
    for (int i = 0; i < ratingPairs; i++) {
      gaps.add(liked.get(i) - disliked.get(i));
      if (liked.get(i) > disliked.get(i)) {
        ratingPairsRight++;
      }
    }
    return new Measured(
        new RewardAccuracy(
            ratings, ratingsRight, comparisons, comparisonsRight, ratingPairs, ratingPairsRight),
        gaps.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Share of all held-out examples judged right; NaN without examples. */
  public double overall() {
    int total = ratings + comparisons;
    return total == 0 ? Double.NaN : (ratingsRight + comparisonsRight) / (double) total;
  }

  /** Share of ratings judged right; NaN without ratings. */
  public double ratingAccuracy() {
    return ratings == 0 ? Double.NaN : ratingsRight / (double) ratings;
  }

  /** Share of comparisons judged right; NaN without comparisons. */
  public double comparisonAccuracy() {
    return comparisons == 0 ? Double.NaN : comparisonsRight / (double) comparisons;
  }

  /** Held-out examples judged. */
  public int examples() {
    return ratings + comparisons;
  }

  /** Pairs ranked: comparisons and rating pairs. */
  public int rankedPairs() {
    return comparisons + ratingPairs;
  }

  /** Share of comparisons and rating pairs ranked right; NaN without any. */
  public double ranking() {
    int total = rankedPairs();
    return total == 0 ? Double.NaN : (comparisonsRight + ratingPairsRight) / (double) total;
  }

  /**
   * The lower end of the Wilson 95% interval of {@link #overall()} (every example is a Bernoulli
   * trial: right or wrong); NaN without examples.
   */
  public double lowerBound95() {
    return wilsonLower(overall(), examples());
  }

  /**
   * The lower end of the Wilson 95% interval of {@link #ranking()} (each pair a Bernoulli trial; no
   * rating is in two pairs, so the trials are independent); NaN without pairs. Above ½ means the
   * model orders two replies better than a coin with 95% confidence.
   */
  public double rankingLowerBound95() {
    return wilsonLower(ranking(), rankedPairs());
  }

  /** The lower end of the Wilson 95% interval of a share p of n trials; NaN for n = 0. */
  static double wilsonLower(double p, int n) {
    return wilsonLower(p, n, 1.959963984540054);
  }

  /** The lower end of the Wilson interval at normal quantile z; NaN for n = 0. */
  static double wilsonLower(double p, int n, double z) {
    if (n == 0) {
      return Double.NaN;
    }
    double z2n = z * z / n;
    double centre = p + z2n / 2;
    double spread = z * Math.sqrt(p * (1 - p) / n + z2n / (4.0 * n));
    return (centre - spread) / (1 + z2n);
  }
}
