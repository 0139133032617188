package sail.server.training.objective;

import java.util.Objects;

/**
 * One row of a training batch as the objective sees it.
 *
 * @param route where the row came from
 * @param logProbs the pair in its final order (after any DDP swap)
 * @param swapped whether DDP resampling reversed the label (for the swap-rate metric)
 */
public record PreferenceRow(Route route, PairLogProbs logProbs, boolean swapped) {
  public PreferenceRow {
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(logProbs, "logProbs");
  }

  public static PreferenceRow of(Route route, PairLogProbs logProbs) {
    return new PreferenceRow(route, logProbs, false);
  }
}
