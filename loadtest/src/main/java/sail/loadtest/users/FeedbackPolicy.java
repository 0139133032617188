package sail.loadtest.users;

/**
 * How often a simulated user gives feedback.
 *
 * @param compareShare probability that a request asks for two candidates ("which reply is better?")
 *     instead of one
 * @param preferShare probability that the user answers a two-candidate reply with a pairwise choice
 * @param rateShare probability that the user rates a one-candidate reply 👍 or 👎
 */
public record FeedbackPolicy(double compareShare, double preferShare, double rateShare) {
  /**
   * Half the requests compare two candidates; most comparisons and half the replies get a label.
   */
  public static final FeedbackPolicy DEFAULT = new FeedbackPolicy(0.5, 0.9, 0.5);

  /** Users who only read. */
  public static final FeedbackPolicy SILENT = new FeedbackPolicy(0, 0, 0);

  public FeedbackPolicy {
    check("compare share", compareShare);
    check("prefer share", preferShare);
    check("rate share", rateShare);
  }

  private static void check(String name, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], got " + p);
    }
  }
}
