package sail.server.training.objective;

/**
 * What one route contributed to a batch (sail-objective.md, section 8).
 *
 * @param rows how many rows took the route
 * @param meanS mean of s = log σ(β·h)
 * @param meanLoss mean of −s − (c_B/2)·s² (after the clamp)
 * @param meanWeight mean factor on the DPO gradient, 1 + c_B·s after the clamp
 * @param clampCount rows the clamp changed
 * @param swapCount rows whose label DDP resampling reversed
 * @param meanTermAMagnitude mean over rows of the mean |term A| of the two sides
 * @param meanMargin mean implicit reward margin β·h
 * @param accuracy fraction of rows with h &gt; 0 (the implicit reward ranks the label's choice
 *     first)
 */
public record RouteMetrics(
    int rows,
    double meanS,
    double meanLoss,
    double meanWeight,
    int clampCount,
    int swapCount,
    double meanTermAMagnitude,
    double meanMargin,
    double accuracy) {

  /** swapCount / rows. */
  public double swapRate() {
    return rows == 0 ? 0 : (double) swapCount / rows;
  }
}
