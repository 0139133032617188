package sail.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.model.Checkpoint;
import sail.server.model.GptLanguageModel;
import sail.server.model.TinyModels;
import sail.server.model.WeightSnapshot;

class CheckpointStoreTest {
  @TempDir Path temp;

  private static void saveSteps(CheckpointStore store, long... steps) {
    try (GptLanguageModel model = TinyModels.create()) {
      WeightSnapshot weights = WeightSnapshot.copyOf(model.block(), Device.cpu());
      for (long step : steps) {
        store.save(step, model, weights, step / 10, -1, Map.of("step", step), null);
      }
      weights.release();
    }
  }

  @Test
  void keepsOnlyTheNewestCheckpoints() {
    CheckpointStore store = new CheckpointStore(temp, "step", 2);
    saveSteps(store, 10, 20, 30);
    assertEquals(List.of(20L, 30L), store.numbers());
    assertEquals(30, store.latestValid().orElseThrow().number());
  }

  @Test
  void corruptLatestFallsBackToThePreviousOne() throws Exception {
    CheckpointStore store = new CheckpointStore(temp, "step", 3);
    saveSteps(store, 10, 20);
    Path weights = store.pathOf(20).resolve(Checkpoint.WEIGHTS);
    byte[] bytes = Files.readAllBytes(weights);
    bytes[100] ^= 1;
    Files.write(weights, bytes);
    CheckpointStore.Found found = store.latestValid().orElseThrow();
    assertEquals(10, found.number());
    assertEquals(1, found.metadata().version());
  }

  @Test
  void aHalfWrittenTemporaryDirectoryIsIgnored() throws Exception {
    CheckpointStore store = new CheckpointStore(temp, "step", 3);
    saveSteps(store, 10);
    Files.createDirectories(temp.resolve(".step-000000020.tmp-123"));
    assertEquals(List.of(10L), store.numbers());
  }

  @Test
  void emptyStoreHasNoLatest() {
    assertTrue(new CheckpointStore(temp.resolve("none"), "step", 1).latestValid().isEmpty());
  }
}
