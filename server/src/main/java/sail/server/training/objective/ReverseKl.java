package sail.server.training.objective;

import java.util.Arrays;

/**
 * The reverse-KL regulariser of SAIL-RevKL (sail-objective.md, section 7), per example:
 *
 * <pre>
 *   R = λ · mean_t [ log π_ref(y_t) − log π_θ(y_t) ],     ∂R/∂log π_θ(y_t) = −λ / T
 * </pre>
 *
 * over the T response tokens. Note what the formula does as written: its gradient raises the
 * policy's log-probability of every response token, so on offline rows it acts as an NLL anchor; on
 * the policy's own samples its expected gradient is zero.
 *
 * @param value R
 * @param gradient ∂R/∂log π_θ(y_t) for each token
 */
public record ReverseKl(double value, double[] gradient) {

  /**
   * R and its gradient for one response; an empty response contributes nothing.
   *
   * @throws IllegalArgumentException if the arrays differ in length
   */
  public static ReverseKl of(double[] policyTokens, double[] refTokens, double lambda) {
    if (policyTokens.length != refTokens.length) {
      throw new IllegalArgumentException(
          "policy and reference token log-probs differ in length: "
              + policyTokens.length
              + " vs "
              + refTokens.length);
    }
    int tokens = policyTokens.length;
    double[] gradient = new double[tokens];
    if (tokens == 0) {
      return new ReverseKl(0, gradient);
    }
    double sum = 0;
    for (int t = 0; t < tokens; t++) {
      sum += refTokens[t] - policyTokens[t];
    }
    Arrays.fill(gradient, -lambda / tokens);
    return new ReverseKl(lambda * sum / tokens, gradient);
  }
}
