package sail.server.training.objective;

/**
 * Summed response log-probabilities of one ordered pair (sail-objective.md, section 1): ℓ = sum
 * over response tokens of log π(y_t | x, y_&lt;t), prompt and padding masked out.
 *
 * @param policyChosen ℓ(y_w) under π_θ
 * @param policyRejected ℓ(y_l) under π_θ
 * @param refChosen ℓ_ref(y_w) under π_ref
 * @param refRejected ℓ_ref(y_l) under π_ref
 */
public record PairLogProbs(
    double policyChosen, double policyRejected, double refChosen, double refRejected) {

  public PairLogProbs {
    if (!Double.isFinite(policyChosen)
        || !Double.isFinite(policyRejected)
        || !Double.isFinite(refChosen)
        || !Double.isFinite(refRejected)) {
      throw new IllegalArgumentException("log-probabilities must be finite: " + this);
    }
  }

  /** h = (ℓ_w − ℓ_ref,w) − (ℓ_l − ℓ_ref,l); the implicit reward margin is β·h. */
  public double h() {
    return (policyChosen - refChosen) - (policyRejected - refRejected);
  }

  /** The same pair with the label reversed (a DDP swap): h becomes −h. */
  public PairLogProbs swapped() {
    return new PairLogProbs(policyRejected, policyChosen, refRejected, refChosen);
  }
}
