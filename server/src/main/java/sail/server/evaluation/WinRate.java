package sail.server.evaluation;

/**
 * The outcome of head-to-head comparisons of a candidate against a baseline: wins, ties and losses,
 * the win-rate with a tie counted as ½ (alignment-facts.md: a weak model ties often, so ties must
 * neither be dropped nor counted as losses), and a 95% confidence interval.
 *
 * <p>Each comparison scores x ∈ {1, ½, 0}; the win-rate is the mean of x and the interval is the
 * normal approximation mean ± 1.96 · s / √n with the sample standard deviation s, clipped to [0,
 * 1]. With ties the score is not binomial, so the Wilson interval does not apply; with no ties the
 * two agree closely for n ≥ 100.
 *
 * @param wins comparisons the candidate won
 * @param ties comparisons judged equal
 * @param losses comparisons the baseline won
 */
public record WinRate(int wins, int ties, int losses) {
  /** The two-sided 95% normal quantile. */
  public static final double Z95 = 1.959963984540054;

  public WinRate {
    if (wins < 0 || ties < 0 || losses < 0) {
      throw new IllegalArgumentException(
          "counts must be >= 0, got " + wins + "/" + ties + "/" + losses);
    }
  }

  /** Adds one comparison: {@code sign} > 0 a win, 0 a tie, < 0 a loss. */
  public WinRate plus(int sign) {
    return sign > 0
        ? new WinRate(wins + 1, ties, losses)
        : sign == 0 ? new WinRate(wins, ties + 1, losses) : new WinRate(wins, ties, losses + 1);
  }

  /** Comparisons counted. */
  public int comparisons() {
    return wins + ties + losses;
  }

  /** Mean score with a tie as ½; NaN with no comparisons. */
  public double rate() {
    int n = comparisons();
    return n == 0 ? Double.NaN : (wins + 0.5 * ties) / n;
  }

  /** Share of comparisons that were ties; NaN with no comparisons. */
  public double tieRate() {
    int n = comparisons();
    return n == 0 ? Double.NaN : (double) ties / n;
  }

  /** Share of decisive comparisons won; NaN when none was decisive. */
  public double decisiveRate() {
    int decisive = wins + losses;
    return decisive == 0 ? Double.NaN : (double) wins / decisive;
  }

  /**
   * The 95% interval {@code [low, high]} of {@link #rate()}; NaNs with fewer than 2 comparisons.
   */
  public double[] ci95() {
    int n = comparisons();
    if (n < 2) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double mean = rate();
    // sum of squared deviations of the scores 1, ½ and 0 from the mean
    double squares = wins * sq(1 - mean) + ties * sq(0.5 - mean) + losses * sq(mean);
    double standardError = Math.sqrt(squares / (n - 1) / n);
    return new double[] {
      Math.max(0, mean - Z95 * standardError), Math.min(1, mean + Z95 * standardError)
    };
  }

  private static double sq(double x) {
    return x * x;
  }
}
