package sail.server.training.reward;

import java.util.Arrays;
import java.util.List;

/**
 * Which fresh pairs a reward model may label: those it scores at least a gap apart, the gap chosen
 * on held-out pairs that people ranked so that, among the pairs at least that far apart, the
 * model's order agrees with people's with a lower confidence bound above the target.
 *
 * <p>Why a gap rather than one accuracy over all pairs: many pairs are ones people themselves
 * decide by a coin (two replies equally to their taste), so even a model that knows their taste
 * ranks all held-out pairs only about as well as people agree with themselves, too close to the
 * target to pass on a few hundred pairs. The pairs a model scores far apart are the ones where its
 * order is most often right, and only those get its label; the rest keep people's labels. In demo
 * run 50's traffic (docs/demo.md) the words model ranked all held-out pairs at 0.63 and the half it
 * scored furthest apart at 0.67.
 *
 * <p>The gap is one of {@link #COVERAGES}: the widest share of held-out pairs (by gap) whose
 * accuracy passes. All pairs are judged with the Wilson 95% lower bound (z = 1.96), as before there
 * were gaps; the narrower shares with z = {@value #Z} (Bonferroni over the three tries), so that
 * trying more than one share does not let a coin pass by luck.
 *
 * @param gap the smallest score gap labelled (0: every pair)
 * @param pairs held-out pairs at least {@code gap} apart
 * @param right how many of them the model ordered as people did
 * @param heldOutPairs all held-out ranked pairs
 */
public record LabelMargin(double gap, int pairs, int right, int heldOutPairs) {
  /** The shares of held-out pairs tried, widest first. */
  public static final List<Double> COVERAGES = List.of(1.0, 0.5, 0.25);

  /** The normal quantile of a one-sided 2.5% / 3 (Bonferroni over {@link #COVERAGES}). */
  static final double Z = 2.394;

  /** The normal quantile of the 95% interval that judges all pairs. */
  static final double Z_ALL = 1.959963984540054;

  /** The share of held-out pairs the model labels. */
  public double coverage() {
    return heldOutPairs == 0 ? 0 : pairs / (double) heldOutPairs;
  }

  /** How often the model orders the labelled pairs as people did. */
  public double accuracy() {
    return pairs == 0 ? Double.NaN : right / (double) pairs;
  }

  /** Whether a pair the model scored {@code first} and {@code second} is far enough apart. */
  public boolean labels(double first, double second) {
    return Math.abs(first - second) >= gap;
  }

  /**
   * The widest-covering gap that passes, or null when none does on at least {@code minPairs} pairs.
   *
   * @param signedGaps per held-out pair, the model's score of the reply people preferred minus its
   *     score of the other (positive: the model agrees)
   * @param target the lower bound the labelled pairs' accuracy must exceed
   * @param minPairs the fewest pairs a gap may be judged on
   */
  public static LabelMargin calibrate(double[] signedGaps, double target, int minPairs) {
    int n = signedGaps.length;
    double[] widths = new double[n];
    for (int i = 0; i < n; i++) {
      widths[i] = Math.abs(signedGaps[i]);
    }
    Integer[] order = widestFirst(signedGaps);
    for (double coverage : COVERAGES) {
      int k = (int) Math.ceil(coverage * n);
      if (k < minPairs) {
        continue;
      }
      // the gap takes in every pair as wide as its narrowest one
      double gap = k == n ? 0 : widths[order[k - 1]];
      while (k < n && widths[order[k]] >= gap) {
        k++;
      }
      int right = 0;
      for (int i = 0; i < k; i++) {
        if (signedGaps[order[i]] > 0) {
          right++;
        }
      }
      double z = k == n ? Z_ALL : Z;
      if (RewardAccuracy.wilsonLower(right / (double) k, k, z) > target) {
        return new LabelMargin(gap, k, right, n);
      }
    }
    return null;
  }

  /**
   * The indices of {@code signedGaps} ordered by the size of the gap, widest first (equal sizes in
   * index order): the order in which pairs enter the shares of {@link #COVERAGES}.
   */
  public static Integer[] widestFirst(double[] signedGaps) {
    Integer[] order = new Integer[signedGaps.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> Double.compare(Math.abs(signedGaps[b]), Math.abs(signedGaps[a])));
    return order;
  }
}
