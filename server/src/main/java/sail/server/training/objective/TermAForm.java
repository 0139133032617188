package sail.server.training.objective;

/** How term A, the score-function term of policy-sampled responses, enters the gradient. */
public enum TermAForm {
  /**
   * The derivation (sail-objective.md, section 4): adds {@code −c_A·(s − b)} to both ∂L/∂ℓ_w and
   * ∂L/∂ℓ_l.
   */
  DERIVED,
  /**
   * What the authors' code does (section 5): adds {@code −c_A·(s − b)/ℓ} to each side. Opposite
   * sign, shrunk by 1/|ℓ|; the reference code also skips the 1/batch averaging, so multiply c_A by
   * batch × accumulation steps to reproduce its magnitude. Coefficients do not carry over between
   * the forms.
   */
  REFERENCE_CODE
}
