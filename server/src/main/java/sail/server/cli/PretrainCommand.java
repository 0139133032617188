package sail.server.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sail.server.model.CheckpointMetadata;
import sail.server.model.Devices;
import sail.server.model.GptConfig;
import sail.server.model.GptLanguageModel;
import sail.server.model.ModelLoader;
import sail.server.model.WeightSnapshot;
import sail.server.task.DefaultTaskBuilder;
import sail.server.task.DialogueTurn;
import sail.server.training.Pretrainer;

/** {@code ./sail pretrain}: builds the embedded base model from the packaged corpora. */
@Command(
    name = "pretrain",
    mixinStandardHelpOptions = true,
    description =
        "Pre-train the byte-level GPT on Austen + fortunes, fine-tune it on the novels' dialogue"
            + " turns, and write the base checkpoint.")
public final class PretrainCommand implements Callable<Integer> {
  @Option(
      names = "--build-data",
      description = "Extracted packages (scripts/fetch-task-packages.sh).")
  Path buildData = Path.of("build-data");

  @Option(names = "--out", description = "Checkpoint directory to create.")
  Path out = Path.of("models/base");

  @Option(names = "--pretrain-steps")
  int pretrainSteps = 2400;

  @Option(names = "--sft-steps")
  int sftSteps = 600;

  @Option(names = "--batch", description = "Windows (pre-training) per step.")
  int batch = 16;

  @Option(names = "--sft-batch", description = "Chat pairs per fine-tuning step.")
  int sftBatch = 32;

  @Option(names = "--lr")
  double lr = 1.5e-3;

  @Option(names = "--sft-lr")
  double sftLr = 5e-4;

  @Option(names = "--seed")
  long seed = 20240601L;

  @Option(names = "--eval-every")
  int evalEvery = 100;

  @Option(
      names = "--minutes",
      description =
          "Wall-clock budget: when > 0, the phases run for 80% / 20% of it instead of fixed step"
              + " counts (the learning rate follows elapsed time); steps run are recorded in the"
              + " checkpoint.")
  double minutes = 0;

  @Option(names = "--device", description = "cpu, gpu or auto.")
  String device = "cpu";

  @Option(names = "--curve", description = "Where to write the loss curve (JSON lines).")
  Path curveFile = Path.of("build-data/pretrain-curve.jsonl");

  @Override
  public Integer call() throws Exception {
    ObjectMapper json = new ObjectMapper();
    DefaultTaskBuilder task = DefaultTaskBuilder.load(buildData);

    // held-out split by hash, so the split never depends on list order
    List<String> train = new ArrayList<>();
    List<String> validation = new ArrayList<>();
    for (String document : task.pretrainText()) {
      (Math.floorMod(document.hashCode(), 50) == 0 ? validation : train).add(document);
    }
    List<String[]> pairs = new ArrayList<>();
    List<String[]> heldOutPairs = new ArrayList<>();
    for (DialogueTurn turn : task.sftTurns()) {
      String[] pair = {turn.user(), turn.assistant()};
      (Math.floorMod(turn.user().hashCode(), 50) == 0 ? heldOutPairs : pairs).add(pair);
    }
    System.err.printf(
        "pretrain: %d documents (%d held out), %d chat pairs (%d held out)%n",
        train.size(), validation.size(), pairs.size(), heldOutPairs.size());

    Device dev = Devices.parse(device);
    GptConfig config = GptConfig.defaults();
    Files.createDirectories(curveFile.toAbsolutePath().getParent());
    Files.deleteIfExists(curveFile);
    try (GptLanguageModel model = GptLanguageModel.initialized(config, dev)) {
      System.err.printf("model: %s, %,d parameters%n", config, config.parameterCount());
      double pretrainSeconds = minutes > 0 ? minutes * 60 * 0.8 : 0;
      double sftSeconds = minutes > 0 ? minutes * 60 * 0.2 : 0;
      Pretrainer.Settings settings =
          new Pretrainer.Settings(
              pretrainSteps,
              batch,
              config.contextLength(),
              lr,
              sftSteps,
              sftBatch,
              sftLr,
              0.25,
              1.0,
              seed,
              evalEvery,
              pretrainSeconds,
              sftSeconds);
      Pretrainer trainer =
          new Pretrainer(
              model,
              settings,
              point -> {
                try {
                  String line = json.writeValueAsString(point);
                  System.out.println(line);
                  Files.writeString(
                      curveFile,
                      line + "\n",
                      java.nio.file.StandardOpenOption.CREATE,
                      java.nio.file.StandardOpenOption.APPEND);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      Map<String, Object> summary = trainer.run(train, validation, pairs, heldOutPairs);
      WeightSnapshot weights = WeightSnapshot.copyOf(model.block(), dev);
      try {
        CheckpointMetadata metadata = ModelLoader.save(out, model, weights, 0, -1, summary, null);
        System.err.println("wrote " + out + " " + metadata.files().keySet());
      } finally {
        weights.release();
      }
    }
    return 0;
  }
}
