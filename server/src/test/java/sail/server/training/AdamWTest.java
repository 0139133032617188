package sail.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.PairList;
import org.junit.jupiter.api.Test;

class AdamWTest {
  private static final float LR = 1e-3f;

  /** A two-element vector parameter (rank 1: no weight decay), at zero. */
  private static PairList<String, Parameter> vector(NDManager manager) {
    return vector(manager, new float[2]);
  }

  private static PairList<String, Parameter> vector(NDManager manager, float[] values) {
    Parameter w =
        Parameter.builder()
            .setName("w")
            .setType(Parameter.Type.WEIGHT)
            .optArray(manager.create(values))
            .build();
    w.getArray().setRequiresGradient(true);
    PairList<String, Parameter> parameters = new PairList<>();
    parameters.add("w", w);
    return parameters;
  }

  /** One update with gradient {@code g}; returns how far each element moved, in units of lr. */
  private static float[] update(
      AdamW optimizer, PairList<String, Parameter> parameters, NDManager manager, float... g) {
    NDArray w = parameters.get(0).getValue().getArray();
    float[] before = w.toFloatArray();
    try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
      collector.backward(w.mul(manager.create(g)).sum());
    }
    optimizer.update(parameters, LR);
    float[] after = w.toFloatArray();
    return new float[] {(after[0] - before[0]) / LR, (after[1] - before[1]) / LR};
  }

  @Test
  void restartedMomentumKeepsEachParametersScaleAndFollowsTheNewGradient() {
    try (NDManager manager = NDManager.newBaseManager();
        AdamW restarted = new AdamW(AdamW.Settings.defaults(), manager);
        AdamW reset = new AdamW(AdamW.Settings.defaults(), manager)) {
      PairList<String, Parameter> a = vector(manager);
      PairList<String, Parameter> b = vector(manager);
      // a history of gradients of scale 1 on both elements
      for (int i = 0; i < 20; i++) {
        update(restarted, a, manager, 1f, 1f);
        update(reset, b, manager, 1f, 1f);
      }
      restarted.restartMomentum();
      reset.reset();
      assertEquals(0, restarted.momentumSteps());
      assertEquals(20, restarted.step());

      // then the first element's gradient turns round and the second's is a hundredth of before
      float[] afterRestart = update(restarted, a, manager, -1f, 0.01f);
      float[] afterReset = update(reset, b, manager, -1f, 0.01f);
      // both follow the new direction (the old momentum would still push the first element down)
      assertTrue(afterRestart[0] > 0.5f, "moved " + afterRestart[0]);
      assertTrue(afterReset[0] > 0.5f, "moved " + afterReset[0]);
      // the reset moves the small-gradient element by the full learning rate (one gradient is its
      // whole scale estimate); the restart by its gradient against the kept scale, about 1/100
      assertEquals(-1f, afterReset[1], 1e-3f);
      assertTrue(
          Math.abs(afterRestart[1]) < 0.05f, "the small gradient moved it by " + afterRestart[1]);
      assertEquals(1, restarted.momentumSteps());
      assertEquals(21, restarted.step());
    }
  }

  @Test
  void stateRestoresTheStepsSinceTheMomentumRestarted() {
    try (NDManager manager = NDManager.newBaseManager();
        AdamW optimizer = new AdamW(AdamW.Settings.defaults(), manager);
        AdamW restored = new AdamW(AdamW.Settings.defaults(), manager)) {
      PairList<String, Parameter> a = vector(manager);
      for (int i = 0; i < 5; i++) {
        update(optimizer, a, manager, 1f, -1f);
      }
      optimizer.restartMomentum();
      update(optimizer, a, manager, 0.5f, 0.25f);
      NDList state = optimizer.state();
      restored.restore(state, optimizer.step(), optimizer.momentumSteps());
      PairList<String, Parameter> b =
          vector(manager, a.get(0).getValue().getArray().toFloatArray());
      // the same next update from the same weights
      float[] original = update(optimizer, a, manager, 0.3f, -0.7f);
      float[] copy = update(restored, b, manager, 0.3f, -0.7f);
      assertEquals(original[0], copy[0], 1e-4f);
      assertEquals(original[1], copy[1], 1e-4f);
    }
  }
}
