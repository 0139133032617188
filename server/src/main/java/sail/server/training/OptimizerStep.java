package sail.server.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.PairList;
import java.util.function.Supplier;

/**
 * One optimiser step: forward under a gradient collector, backward, clip, update. The collector and
 * every intermediate array live only inside the step (stack-notes.md: one collector per JVM, an
 * NDScope per step, the optimiser update outside the scope).
 */
public final class OptimizerStep {
  private OptimizerStep() {}

  /**
   * @param loss builds the scalar loss (called inside the collector's scope)
   * @return the loss value
   */
  public static double run(
      Supplier<NDArray> loss,
      PairList<String, Parameter> parameters,
      AdamW optimizer,
      double clipNorm,
      float learningRate) {
    double value;
    try (NDScope ignored = new NDScope();
        GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
      NDArray scalar = loss.get();
      collector.backward(scalar);
      value = scalar.getFloat();
    }
    AdamW.clipGradients(parameters, clipNorm);
    optimizer.update(parameters, learningRate);
    return value;
  }
}
