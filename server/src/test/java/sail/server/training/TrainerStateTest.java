package sail.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.model.Checkpoint;

class TrainerStateTest {
  @TempDir Path temp;

  private TrainerState read(String json) throws Exception {
    Path file = temp.resolve("trainer.json");
    Files.writeString(file, json);
    return Checkpoint.readJson(file, TrainerState.class);
  }

  private static final String SAMPLER =
      "\"sampler\":{\"step\":40,\"pairs\":{\"epoch\":0,\"offset\":7},"
          + "\"prompts\":{\"epoch\":0,\"offset\":3},\"feedbackCursors\":[5,2]}";

  @Test
  void aCheckpointWrittenBeforeMomentumRestartsReadsTheStepCountForIt() throws Exception {
    TrainerState state =
        read("{\"step\":40,\"optimizerStep\":40," + SAMPLER + ",\"publishedVersion\":8}");
    assertEquals(40, state.momentumSteps());
  }

  @Test
  void aCheckpointWithTheStepsSinceARestartReadsThem() throws Exception {
    TrainerState state =
        read(
            "{\"step\":40,\"optimizerStep\":40,"
                + SAMPLER
                + ",\"publishedVersion\":8,\"optimizerMomentumSteps\":3}");
    assertEquals(3, state.momentumSteps());
    assertEquals(40, state.optimizerStep());
  }
}
