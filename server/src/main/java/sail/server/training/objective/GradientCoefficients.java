package sail.server.training.objective;

/**
 * The gradient coefficients of the SAIL routes (sail-objective.md, section 3): how strongly the
 * extra terms are scaled.
 *
 * @param rho DDP: scales term B (label sampled from the policy)
 * @param pi DPP: scales both term A (responses sampled from the policy) and term B
 * @param gamma DPR: scales term A (reward-model labels)
 */
public record GradientCoefficients(double rho, double pi, double gamma) {
  public static final GradientCoefficients NONE = new GradientCoefficients(0, 0, 0);

  public GradientCoefficients {
    requireFinite("rho", rho);
    requireFinite("pi", pi);
    requireFinite("gamma", gamma);
  }

  private static void requireFinite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(
          "gradient coefficient " + name + " = " + value + " must be a finite number");
    }
  }
}
