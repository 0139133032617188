package sail.server.training.objective;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * Summed response log-probs of a batch of pairs, each of shape (B). The policy arrays carry the
 * autograd graph back to the model; the reference arrays are treated as constants.
 */
public record LogProbBatch(
    NDArray policyChosen, NDArray policyRejected, NDArray refChosen, NDArray refRejected) {

  public LogProbBatch {
    Objects.requireNonNull(policyChosen, "policyChosen");
    Objects.requireNonNull(policyRejected, "policyRejected");
    Objects.requireNonNull(refChosen, "refChosen");
    Objects.requireNonNull(refRejected, "refRejected");
    for (NDArray array : new NDArray[] {policyRejected, refChosen, refRejected}) {
      if (!array.getShape().equals(policyChosen.getShape())) {
        throw new IllegalArgumentException(
            "log-prob arrays differ in shape: "
                + policyChosen.getShape()
                + " vs "
                + array.getShape());
      }
    }
    if (policyChosen.getShape().dimension() != 1) {
      throw new IllegalArgumentException(
          "log-prob arrays must have shape (B), got " + policyChosen.getShape());
    }
  }

  /** B. */
  public int size() {
    return (int) policyChosen.getShape().get(0);
  }
}
