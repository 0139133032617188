/**
 * The SAIL objective (Ding et al. 2024; notes in {@code shared/docs/sail-objective.md}).
 *
 * <p>Layers, innermost first:
 *
 * <ul>
 *   <li>configuration: {@link sail.server.training.objective.ObjectiveConfig} and its parts;
 *   <li>the pure per-example math on doubles: {@link sail.server.training.objective.SailLoss}
 *       (section 4), {@link sail.server.training.objective.DdpLabels} (section 3), {@link
 *       sail.server.training.objective.ReverseKl} (section 7);
 *   <li>batch aggregation and metrics, kept apart: {@link
 *       sail.server.training.objective.BatchObjective} and {@link
 *       sail.server.training.objective.ObjectiveMetrics} (section 8);
 *   <li>the tensor adapter that turns the same math into an autograd surrogate: {@link
 *       sail.server.training.objective.SurrogateLoss}.
 * </ul>
 *
 * Nothing here performs I/O or holds global state; randomness comes in as a {@link
 * java.util.random.RandomGenerator}.
 */
package sail.server.training.objective;
