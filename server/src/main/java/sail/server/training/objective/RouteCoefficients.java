package sail.server.training.objective;

/**
 * The coefficients of the two SAIL terms for one row (sail-objective.md, section 4).
 *
 * @param termA c_A, the score-function term for responses sampled from the policy
 * @param termB c_B, the term for labels sampled from the policy
 */
public record RouteCoefficients(double termA, double termB) {
  public static final RouteCoefficients NONE = new RouteCoefficients(0, 0);

  public RouteCoefficients {
    if (!Double.isFinite(termA) || !Double.isFinite(termB)) {
      throw new IllegalArgumentException(
          "route coefficients must be finite, got c_A = " + termA + ", c_B = " + termB);
    }
  }
}
