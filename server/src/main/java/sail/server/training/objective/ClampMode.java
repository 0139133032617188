package sail.server.training.objective;

/**
 * Guards against the unbounded term B (sail-objective.md, section 4): {@code −s − (c/2)s²} falls
 * without bound once {@code s < −1/c}, where the weight {@code 1 + c·s} of the DPO gradient turns
 * negative. A row is <em>clamped</em> when {@code c_B > 0} and {@code 1 + c_B·s < 0}.
 */
public enum ClampMode {
  /** No guard: the weight may go negative and flip the DPO gradient. */
  NONE,
  /**
   * Weight {@code max(0, 1 + c_B·s)}: a clamped row stops pulling. Its loss is {@code −s − (c/2)s²}
   * evaluated at {@code max(s, −1/c)}, a constant {@code 1/(2c)}.
   */
  WEIGHT,
  /**
   * {@code max(s, −1/c)} inside the quadratic only: a clamped row gets the plain DPO gradient
   * (weight 1), and the loss {@code −s − (c/2)·max(s, −1/c)²} is monotone in s, so bounded below.
   */
  QUADRATIC
}
