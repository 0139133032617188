package sail.server.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path temp;

  private static float[] probeLogits(CausalLanguageModel model, ai.djl.training.ParameterStore ps) {
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      return model
          .logits(
              ps, model.manager().create(new long[] {257, 260, 65, 66, 67}, new Shape(1, 5)), false)
          .toFloatArray();
    } finally {
      GradMode.restore(grad);
    }
  }

  private Path saveTinyModel(String name) {
    try (GptLanguageModel model = TinyModels.create()) {
      WeightSnapshot weights = WeightSnapshot.copyOf(model.block(), Device.cpu());
      try {
        ModelLoader.save(temp.resolve(name), model, weights, 3, 2, Map.of("steps", 10), null);
      } finally {
        weights.release();
      }
    }
    return temp.resolve(name);
  }

  @Test
  void saveThenLoadGivesIdenticalLogitsAndMetadata() {
    float[] expected;
    Path dir = temp.resolve("ckpt");
    try (GptLanguageModel model = TinyModels.create()) {
      expected = probeLogits(model, model.liveParameters());
      WeightSnapshot weights = WeightSnapshot.copyOf(model.block(), Device.cpu());
      ModelLoader.save(dir, model, weights, 3, 2, Map.of("steps", 10), null);
      weights.release();
    }
    ModelLoader.Loaded loaded = ModelLoader.load(dir, Device.cpu());
    try (CausalLanguageModel model = loaded.model()) {
      assertArrayEquals(expected, probeLogits(model, model.liveParameters()));
      assertArrayEquals(expected, probeLogits(model, loaded.weights().parameterStore()));
      assertEquals(3, loaded.metadata().version());
      assertEquals(2, loaded.metadata().parentVersion());
      assertEquals(10, loaded.metadata().training().get("steps"));
    } finally {
      loaded.weights().release();
    }
    try (var files = Files.list(temp)) {
      assertFalse(
          files.anyMatch(p -> p.getFileName().toString().contains(".tmp-")),
          "no temporary directory is left behind");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void snapshotIsACopyNotAnAlias() {
    try (GptLanguageModel model = TinyModels.create()) {
      WeightSnapshot snapshot = WeightSnapshot.copyOf(model.block(), Device.cpu());
      float[] before = probeLogits(model, snapshot.parameterStore());
      boolean grad = GradMode.disable();
      try {
        for (var entry : model.block().getParameters()) {
          entry.getValue().getArray().addi(0.5f);
        }
      } finally {
        GradMode.restore(grad);
      }
      assertArrayEquals(before, probeLogits(model, snapshot.parameterStore()));
      snapshot.release();
    }
  }

  @Test
  void corruptWeightsAreRejectedNamingTheFile() throws IOException {
    Path dir = saveTinyModel("corrupt");
    Path weights = dir.resolve(Checkpoint.WEIGHTS);
    byte[] bytes = Files.readAllBytes(weights);
    bytes[bytes.length / 2] ^= 0x5A;
    Files.write(weights, bytes);
    CheckpointException error =
        assertThrows(CheckpointException.class, () -> ModelLoader.load(dir, Device.cpu()));
    assertTrue(error.getMessage().contains(weights.toString()), error.getMessage());
  }

  @Test
  void truncatedWeightsAreRejectedNamingTheFile() throws IOException {
    Path dir = saveTinyModel("truncated");
    Path weights = dir.resolve(Checkpoint.WEIGHTS);
    byte[] bytes = Files.readAllBytes(weights);
    Files.write(weights, Arrays.copyOf(bytes, bytes.length / 3));
    CheckpointException error =
        assertThrows(CheckpointException.class, () -> ModelLoader.load(dir, Device.cpu()));
    assertTrue(error.getMessage().contains("weights.safetensors"), error.getMessage());
    assertTrue(error.getMessage().contains("truncated"), error.getMessage());
  }

  @Test
  void brokenMetadataIsRejectedNamingTheFile() throws IOException {
    Path dir = saveTinyModel("metadata");
    Files.writeString(dir.resolve(Checkpoint.METADATA), "{\"version\": 1, ");
    CheckpointException error =
        assertThrows(CheckpointException.class, () -> ModelLoader.load(dir, Device.cpu()));
    assertTrue(error.getMessage().contains("metadata.json"), error.getMessage());
  }

  @Test
  void checkpointsAreImmutable() {
    Path dir = saveTinyModel("once");
    assertThrows(CheckpointException.class, () -> saveTinyModel("once"));
    assertTrue(Files.isDirectory(dir));
  }
}
