package sail.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sail.server.model.GptLanguageModel;
import sail.server.model.TinyModels;
import sail.server.model.WeightSnapshot;

class TrainingStepTest {
  private static double step(
      GptLanguageModel model, LanguageModelingBatches.Batch batch, AdamW optimizer, float lr) {
    return OptimizerStep.run(
        () -> LanguageModelingBatches.loss(model, batch, true),
        model.block().getParameters(),
        optimizer,
        1.0,
        lr);
  }

  @Test
  void aFewStepsLowerTheLossAndChangeEveryParameter() {
    try (GptLanguageModel model = TinyModels.create();
        AdamW optimizer = new AdamW(AdamW.Settings.defaults(), model.manager())) {
      LanguageModelingBatches data =
          new LanguageModelingBatches(List.of("the cat sat on the mat. ".repeat(40)));
      LanguageModelingBatches.Batch batch = data.next(4, 32, new SplittableRandom(1));
      WeightSnapshot before = WeightSnapshot.copyOf(model.block(), Device.cpu());
      double first = step(model, batch, optimizer, 3e-3f);
      double last = first;
      for (int i = 0; i < 15; i++) {
        last = step(model, batch, optimizer, 3e-3f);
      }
      assertTrue(last < first * 0.8, "loss " + first + " -> " + last);

      List<NDArray> old = before.namedArrays();
      int index = 0;
      for (Pair<String, Parameter> entry : model.block().getParameters()) {
        NDArray previous = old.get(index++);
        assertEquals(entry.getKey(), previous.getName());
        float change;
        try (NDScope ignored = new NDScope()) {
          change = entry.getValue().getArray().sub(previous).abs().max().getFloat();
        }
        assertTrue(change > 0, "parameter " + entry.getKey() + " did not change");
      }
      before.release();
    }
  }

  @Test
  void optimizerStateRoundTripsThroughNamedArrays() {
    try (GptLanguageModel model = TinyModels.create();
        AdamW optimizer = new AdamW(AdamW.Settings.defaults(), model.manager());
        AdamW restored = new AdamW(AdamW.Settings.defaults(), model.manager())) {
      LanguageModelingBatches data = new LanguageModelingBatches(List.of("abcdefgh ".repeat(30)));
      step(model, data.next(2, 16, new SplittableRandom(2)), optimizer, 1e-3f);
      restored.restore(optimizer.state(), optimizer.step());
      assertEquals(optimizer.step(), restored.step());
      assertEquals(optimizer.state().size(), restored.state().size());
    }
  }

  @Test
  void scheduleWarmsUpThenDecaysToTheFloor() {
    LearningRateSchedule schedule = new LearningRateSchedule(1.0, 0.1, 0.1);
    assertEquals(0.5, schedule.at(0.05), 1e-6);
    assertEquals(1.0, schedule.at(0.1), 1e-6);
    assertEquals(0.55, schedule.at(0.55), 1e-6);
    assertEquals(0.1, schedule.at(1.0), 1e-6);
  }
}
