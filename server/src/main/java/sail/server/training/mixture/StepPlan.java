package sail.server.training.mixture;

import java.util.List;
import sail.server.training.objective.Route;

/**
 * The rows of one training step, in batch order.
 *
 * @param step the sampler step this plan was drawn at (0-based)
 * @param rows one entry per batch row; {@code rows.get(i).slot() == i}
 * @param staleFeedbackSkipped logged pairs passed over because they exceeded the staleness bound
 */
public record StepPlan(long step, List<PlannedRow> rows, int staleFeedbackSkipped) {
  public StepPlan {
    rows = List.copyOf(rows);
  }

  /** The route of each row, in batch order (what {@code SurrogateLoss.build} takes). */
  public List<Route> routes() {
    return rows.stream().map(PlannedRow::route).toList();
  }

  public long count(Route route) {
    return rows.stream().filter(row -> row.route() == route).count();
  }

  /** The rows of one kind, in batch order. */
  public <T extends PlannedRow> List<T> rowsOf(Class<T> kind) {
    return rows.stream().filter(kind::isInstance).map(kind::cast).toList();
  }
}
