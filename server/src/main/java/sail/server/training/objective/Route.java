package sail.server.training.objective;

/**
 * Where a training row comes from (sail-objective.md, section 3). Letters name the source of the
 * prompt, the responses and the label: D = dataset, P = policy, R = reward model (or a person).
 */
public enum Route {
  /** Dataset pair with its dataset label: plain DPO, no extra terms. */
  OFFLINE_DPO,
  /** Dataset pair, label resampled from the policy's implicit reward: term B × ρ. */
  DDP,
  /** Two fresh policy samples labelled by the policy: term A × π and term B × π. */
  DPP,
  /** Two fresh policy samples labelled by a reward model or a person: term A × γ. */
  DPR;

  /** The (c_A, c_B) this route takes from the configured gradient coefficients. */
  public RouteCoefficients coefficients(GradientCoefficients c) {
    return switch (this) {
      case OFFLINE_DPO -> RouteCoefficients.NONE;
      case DDP -> new RouteCoefficients(0, c.rho());
      case DPP -> new RouteCoefficients(c.pi(), c.pi());
      case DPR -> new RouteCoefficients(c.gamma(), 0);
    };
  }

  /** Whether the responses were sampled from the policy, so the row carries term A. */
  public boolean hasTermA() {
    return this == DPP || this == DPR;
  }
}
