package sail.server.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.model.Checkpoint;
import sail.server.model.CheckpointException;
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
  void aHalfWrittenTemporaryDirectoryIsIgnoredAndClearedByTheNextSave() throws Exception {
    CheckpointStore store = new CheckpointStore(temp, "step", 3);
    saveSteps(store, 10);
    Path interrupted = Files.createDirectories(temp.resolve(".step-000000020.tmp-123"));
    Files.write(interrupted.resolve(Checkpoint.WEIGHTS), new byte[] {1, 2, 3});
    assertEquals(List.of(10L), store.numbers());
    assertEquals(10, store.latestValid().orElseThrow().number());
    saveSteps(store, 20);
    assertEquals(List.of(10L, 20L), store.numbers());
    assertFalse(Files.exists(interrupted));
  }

  @Test
  void aTruncatedFileIsSetAsideAndItsNumberIsNotReused() throws Exception {
    CheckpointStore store = new CheckpointStore(temp, "version", 3);
    saveSteps(store, 1, 2);
    // cut the last 7 bytes off the weights, as a disk that filled up would
    Path weights = store.pathOf(2).resolve(Checkpoint.WEIGHTS);
    try (var channel = java.nio.channels.FileChannel.open(weights, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() - 7);
    }

    assertEquals(1, store.latestValid().orElseThrow().number());
    // kept for inspection under another name, so it is neither loaded nor pruned
    assertEquals(List.of(1L), store.numbers());
    try (Stream<Path> entries = Files.list(temp)) {
      assertTrue(
          entries.anyMatch(
              p -> p.getFileName().toString().startsWith("version-000000002.damaged-")));
    }
    assertEquals(2, store.highestNumberUsed());
    // the number can be written again, e.g. by a trainer that resumed from checkpoint 1
    saveSteps(store, 2);
    assertEquals(2, store.latestValid().orElseThrow().number());
  }

  @Test
  void aCheckpointTheLoaderRejectsFallsBackToThePreviousOne() {
    CheckpointStore store = new CheckpointStore(temp, "step", 3);
    saveSteps(store, 10, 20);
    List<Long> tried = new ArrayList<>();
    Optional<Long> loaded =
        store.loadNewest(
            found -> {
              tried.add(found.number());
              if (found.number() == 20) {
                throw new CheckpointException(
                    found.directory().resolve("optimizer.safetensors"), "does not fit this model");
              }
              return found.number();
            });
    assertEquals(Optional.of(10L), loaded);
    assertEquals(List.of(20L, 10L), tried);
    assertEquals(List.of(10L), store.numbers());
  }

  @Test
  void emptyStoreHasNoLatest() {
    assertTrue(new CheckpointStore(temp.resolve("none"), "step", 1).latestValid().isEmpty());
  }
}
