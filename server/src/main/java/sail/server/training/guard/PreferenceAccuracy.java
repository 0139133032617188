package sail.server.training.guard;

/**
 * How often a policy ranks held-out preference pairs the way people did, by its implicit reward
 * (sail-objective.md, section 1): the pair counts as right when β·[ℓ_π(y_w) − ℓ_ref(y_w)] exceeds
 * β·[ℓ_π(y_l) − ℓ_ref(y_l)], i.e. when the margin h = (ℓ_π(y_w) − ℓ_ref(y_w)) − (ℓ_π(y_l) −
 * ℓ_ref(y_l)) is positive (β &gt; 0 drops out). A tie counts ½. The reference itself scores ½ on
 * every pair; the guard watches this number not collapsing as training goes on.
 */
public final class PreferenceAccuracy {
  private PreferenceAccuracy() {}

  /**
   * @param policyChosen ℓ_π of each pair's chosen reply
   * @param policyRejected ℓ_π of each pair's rejected reply
   * @param refChosen ℓ_ref of each pair's chosen reply
   * @param refRejected ℓ_ref of each pair's rejected reply
   * @return the share of pairs ranked as people ranked them, NaN for no pairs
   */
  public static double of(
      double[] policyChosen, double[] policyRejected, double[] refChosen, double[] refRejected) {
    int n = policyChosen.length;
    if (policyRejected.length != n || refChosen.length != n || refRejected.length != n) {
      throw new IllegalArgumentException("the four arrays must have one entry per pair");
    }
    if (n == 0) {
      return Double.NaN;
    }
    double right = 0;
    for (int i = 0; i < n; i++) {
      double margin = (policyChosen[i] - refChosen[i]) - (policyRejected[i] - refRejected[i]);
      right += margin > 0 ? 1 : margin == 0 ? 0.5 : 0;
    }
    return right / n;
  }
}
