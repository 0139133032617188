package sail.server.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sail.server.bench.ModelBenchmark;
import sail.server.model.Devices;
import sail.server.model.ModelLoader;
import sail.server.task.Prompt;
import sail.server.task.PromptSets;
import sail.server.task.TaskResources;

/** {@code ./sail bench model --json}: speed of the model core against this machine's peak. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks that print JSON. Targets: model (training and decoding speed).")
public final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "What to benchmark: model.")
  String target;

  @Option(names = "--model", description = "Checkpoint directory.")
  Path modelDir = Path.of("models/base");

  @Option(names = "--device")
  String device = "cpu";

  @Option(names = "--train-batch")
  int trainBatch = 12;

  @Option(names = "--train-steps")
  int trainSteps = 6;

  @Option(names = "--new-tokens")
  int newTokens = 128;

  @Option(names = "--json", description = "Print only the JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!"model".equals(target)) {
      System.err.println("bench: unknown target '" + target + "'; expected: model");
      return 2;
    }
    Device dev = Devices.parse(device);
    ModelLoader.Loaded loaded = ModelLoader.load(modelDir, dev);
    try {
      List<String> prompts = new ArrayList<>();
      for (Prompt prompt : PromptSets.loadHeldOut()) {
        prompts.add(prompt.prompt());
      }
      List<String> text = new ArrayList<>();
      for (var line : TaskResources.dialogueSft()) {
        text.add(line.user() + "\n" + line.assistant());
      }
      Map<String, Object> result =
          ModelBenchmark.run(loaded.model(), prompts, text, trainBatch, trainSteps, newTokens);
      String out = new ObjectMapper().writeValueAsString(result);
      if (!json) {
        System.err.println("bench model: " + modelDir);
      }
      System.out.println(out);
    } finally {
      loaded.weights().release();
      loaded.model().close();
    }
    return 0;
  }
}
