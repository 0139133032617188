package sail.server.training.reward;

/**
 * How often the reward model agrees with held-out feedback: a rating is right when the sign of r
 * matches 👍/👎, a comparison when r_chosen &gt; r_rejected.
 */
public record RewardAccuracy(int ratings, int ratingsRight, int comparisons, int comparisonsRight) {
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
}
