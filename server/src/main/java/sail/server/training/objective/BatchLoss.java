package sail.server.training.objective;

import java.util.List;

/**
 * The SAIL loss of a batch: the mean of the per-row losses (sail-objective.md, section 4).
 *
 * @param loss mean over rows of −s − (c_B/2)·s² (term A has no meaningful value)
 * @param baseline the b used for term A
 * @param examples per-row values and derivatives, before averaging, in row order
 * @param dChosen ∂(batch loss)/∂ℓ_w of each row, i.e. the row's derivative divided by the batch
 *     size
 * @param dRejected ∂(batch loss)/∂ℓ_l of each row, likewise
 */
public record BatchLoss(
    double loss,
    double baseline,
    List<ExampleLoss> examples,
    double[] dChosen,
    double[] dRejected) {}
