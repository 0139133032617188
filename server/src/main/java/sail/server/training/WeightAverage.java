package sail.server.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;
import sail.server.model.GradMode;
import sail.server.model.WeightSnapshot;

/**
 * An exponential moving average of the policy's weights (Polyak averaging), updated after every
 * optimiser step: {@code average ← d · average + (1 − d) · weights}. Publishing the average instead
 * of the last step's weights serves a version whose step-to-step noise is smoothed over about
 * {@code 1 / (1 − d)} steps, at the price of lagging the live weights by about {@code d / (1 − d)}
 * steps (Polyak and Juditsky, 1992; the "EMA" of a generator's weights). In the demo the served
 * versions' fluency moved by ±0.02–0.03 of the hidden score from one version to the next while the
 * preference's appeal climbed steadily (docs/demo.md, runs 80–81), so a version published at a dip
 * is worse than its neighbours for reasons the next steps undo.
 *
 * <p>Owns its native memory; used by the trainer's thread only.
 */
final class WeightAverage implements AutoCloseable {
  /** The file a training checkpoint keeps the average in. */
  static final String FILE = "average.safetensors";

  private final double decay;
  private final NDManager manager;
  private final Map<String, NDArray> byName = new LinkedHashMap<>();

  private WeightAverage(double decay, NDManager manager) {
    this.decay = decay;
    this.manager = manager;
  }

  /**
   * An average that starts at the current weights of {@code block}.
   *
   * @param decay d in (0, 1): the weight the average keeps at each step
   */
  static WeightAverage startingAt(Block block, Device device, double decay) {
    if (!(decay > 0 && decay < 1)) {
      throw new IllegalArgumentException("the average's decay must be in (0, 1), got " + decay);
    }
    WeightAverage average = new WeightAverage(decay, NDManager.newBaseManager(device, "PyTorch"));
    for (Pair<String, Parameter> entry : block.getParameters()) {
      NDArray copy = average.own(entry.getValue().getArray());
      copy.setName(entry.getKey());
      average.byName.put(entry.getKey(), copy);
    }
    return average;
  }

  /** Moves the average towards the current weights of {@code block} by {@code 1 − d}. */
  void update(Block block) {
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      for (Pair<String, Parameter> entry : block.getParameters()) {
        NDArray average = byName.get(entry.getKey());
        NDArray weights = entry.getValue().getArray().stopGradient();
        average.muli((float) decay).addi(weights.mul((float) (1 - decay)));
      }
    } finally {
      GradMode.restore(grad);
    }
  }

  /** Sets the average to the current weights of {@code block} (after a rollback). */
  void resetTo(Block block) {
    try (NDScope ignored = new NDScope()) {
      for (Pair<String, Parameter> entry : block.getParameters()) {
        entry.getValue().getArray().stopGradient().copyTo(byName.get(entry.getKey()));
      }
    }
  }

  /**
   * Sets the average to saved arrays (a checkpoint's {@link #arrays()}), matched to the parameters
   * of {@code block} by name and checked as any checkpoint's weights are ({@link
   * WeightSnapshot#fromNamed}).
   *
   * @throws IllegalArgumentException if a parameter is missing or has the wrong shape
   */
  void restore(Block block, NDList saved, Device device) {
    WeightSnapshot loaded = WeightSnapshot.fromNamed(block, saved, device);
    try {
      for (NDArray array : loaded.namedArrays()) {
        array.copyTo(byName.get(array.getName()));
      }
    } finally {
      loaded.release();
    }
  }

  /** A snapshot of the average, for guard samples and publishing; the caller owns it. */
  WeightSnapshot snapshot(Block block, Device device) {
    return WeightSnapshot.fromNamed(block, arrays(), device);
  }

  /** The averaged arrays, named by parameter, for a checkpoint. Owned by this average. */
  NDList arrays() {
    return new NDList(byName.values());
  }

  private NDArray own(NDArray source) {
    try (NDArray alias = source.stopGradient()) {
      NDArray copy = alias.duplicate();
      NDScope.unregister(copy);
      copy.attach(manager);
      return copy;
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
