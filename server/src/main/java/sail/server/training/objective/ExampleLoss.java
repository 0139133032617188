package sail.server.training.objective;

/**
 * The SAIL loss of one row and its derivatives with respect to the summed policy log-probs, before
 * batch averaging (sail-objective.md, section 4).
 *
 * @param h (ℓ_w − ℓ_ref,w) − (ℓ_l − ℓ_ref,l)
 * @param margin the implicit reward margin β·h
 * @param s log σ(β·h) ≤ 0
 * @param loss the value of −s − (c_B/2)·s², as modified by the clamp; term A is a pure gradient
 *     term (its surrogate has no meaningful value) and is not included
 * @param weight the factor on the DPO gradient after the clamp: 1 + c_B·s unclamped, 0 or 1 when
 *     clamped (see {@link ClampMode})
 * @param clamped whether the clamp changed this row
 * @param dpoGradient ∂/∂ℓ_w of DPO + term B, −β·σ(−β·h)·weight; ∂/∂ℓ_l of it is the negative
 * @param termAChosen what term A adds to ∂L/∂ℓ_w
 * @param termARejected what term A adds to ∂L/∂ℓ_l
 * @param pSwap the probability that DDP resampling swaps the label, 1 − σ(β·h) = σ(−β·h)
 */
public record ExampleLoss(
    double h,
    double margin,
    double s,
    double loss,
    double weight,
    boolean clamped,
    double dpoGradient,
    double termAChosen,
    double termARejected,
    double pSwap) {

  /** ∂L/∂ℓ_w, all terms. */
  public double dChosen() {
    return dpoGradient + termAChosen;
  }

  /** ∂L/∂ℓ_l, all terms. */
  public double dRejected() {
    return -dpoGradient + termARejected;
  }
}
