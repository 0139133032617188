package sail.server.training.reward;

import java.util.ArrayList;
import java.util.List;

/**
 * How often the reward model agrees with held-out feedback: a rating is right when the sign of r
 * matches 👍/👎, a comparison when r_chosen &gt; r_rejected.
 */
public record RewardAccuracy(int ratings, int ratingsRight, int comparisons, int comparisonsRight) {
  /**
   * How often {@code source} agrees with {@code heldOut}: a 👍 is right when its score is above
   * {@code threshold} (0 for a reward model's logit r, ½ for a probability such as the simulated
   * annotator's), a 👎 when it is not; a comparison when the chosen reply scores higher.
   */
  public static RewardAccuracy of(
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
    int next = 0;
    for (RewardExample example : heldOut) {
      if (example instanceof RewardExample.Rating rating) {
        ratings++;
        if ((scores[next++] > threshold) == rating.liked()) {
          ratingsRight++;
        }
      } else {
        comparisons++;
        if (scores[next] > scores[next + 1]) {
          comparisonsRight++;
        }
        next += 2;
      }
    }
    return new RewardAccuracy(ratings, ratingsRight, comparisons, comparisonsRight);
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

  /**
   * The lower end of the Wilson 95% interval of {@link #overall()} (every example is a Bernoulli
   * trial: right or wrong); NaN without examples. Above ½ means the model is better than a coin
   * with 95% confidence.
   */
  public double lowerBound95() {
    int n = examples();
    if (n == 0) {
      return Double.NaN;
    }
    double z = 1.959963984540054;
    double p = overall();
    double z2n = z * z / n;
    double centre = p + z2n / 2;
    double spread = z * Math.sqrt(p * (1 - p) / n + z2n / (4.0 * n));
    return (centre - spread) / (1 + z2n);
  }
}
