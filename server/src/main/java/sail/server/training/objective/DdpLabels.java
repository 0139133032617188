package sail.server.training.objective;

import java.util.random.RandomGenerator;

/**
 * Label resampling of the DDP route (sail-objective.md, section 3): the policy's own implicit
 * reward decides the order of a dataset pair, P(y_w ≻ y_l) = σ(β·h), with h from the training
 * forward pass (detached).
 */
public final class DdpLabels {
  private DdpLabels() {}

  /**
   * Whether to keep the pair's order: true with probability σ(β·h), false (swap the label)
   * otherwise. Consumes exactly one double from {@code random}.
   */
  public static boolean keepOrder(double h, double beta, RandomGenerator random) {
    return random.nextDouble() < SailLoss.sigmoid(beta * h);
  }

  /** A DDP row: {@code pair} in the order the policy sampled, with the swap recorded. */
  public static PreferenceRow resample(PairLogProbs pair, double beta, RandomGenerator random) {
    boolean keep = keepOrder(pair.h(), beta, random);
    return new PreferenceRow(Route.DDP, keep ? pair : pair.swapped(), !keep);
  }
}
