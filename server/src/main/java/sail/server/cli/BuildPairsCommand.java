package sail.server.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sail.server.inference.BatchGenerator;
import sail.server.inference.ChatMessage;
import sail.server.inference.GenerationResult;
import sail.server.inference.SamplingParams;
import sail.server.model.Devices;
import sail.server.model.ModelLoader;
import sail.server.task.BradleyTerryRater;
import sail.server.task.Prompt;
import sail.server.task.PromptSets;
import sail.server.task.SimulatedAnnotator;

/**
 * {@code ./sail build-pairs}: the offline preference dataset. Samples several replies per training
 * prompt from the base model and labels pairs of them with the simulated Bradley–Terry rater.
 */
@Command(
    name = "build-pairs",
    mixinStandardHelpOptions = true,
    description = "Sample replies from the base model and label pairs with the simulated rater.")
public final class BuildPairsCommand implements Callable<Integer> {
  @Option(names = "--model")
  Path modelDir = Path.of("models/base");

  @Option(names = "--out")
  Path out = Path.of("models/offline-pairs.jsonl");

  @Option(names = "--prompts", description = "Training prompts to use.")
  int promptCount = 800;

  @Option(names = "--replies", description = "Replies per prompt (an even number).")
  int replies = 4;

  @Option(names = "--temperature")
  double temperature = 0.9;

  @Option(names = "--max-tokens")
  int maxTokens = 64;

  @Option(names = "--rater-temperature")
  double raterTemperature = BradleyTerryRater.DEFAULT_TEMPERATURE;

  @Option(names = "--seed")
  long seed = 7;

  @Option(names = "--device")
  String device = "cpu";

  @Override
  public Integer call() throws Exception {
    if (replies < 2 || replies % 2 != 0) {
      System.err.println("build-pairs: --replies must be an even number >= 2");
      return 2;
    }
    List<Prompt> train = new ArrayList<>(PromptSets.loadTrain());
    SplittableRandom random = new SplittableRandom(seed);
    // deterministic shuffle, then the first N prompts
    for (int i = train.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      Prompt t = train.get(i);
      train.set(i, train.get(j));
      train.set(j, t);
    }
    List<Prompt> chosenPrompts = train.subList(0, Math.min(promptCount, train.size()));

    SimulatedAnnotator annotator = SimulatedAnnotator.positiveSentiment();
    BradleyTerryRater rater = new BradleyTerryRater(annotator::score, raterTemperature);
    ObjectMapper json = new ObjectMapper();
    Device dev = Devices.parse(device);
    ModelLoader.Loaded loaded = ModelLoader.load(modelDir, dev);
    List<String> lines = new ArrayList<>();
    try {
      List<int[]> encoded = new ArrayList<>();
      List<SamplingParams> params = new ArrayList<>();
      for (int p = 0; p < chosenPrompts.size(); p++) {
        int[] prompt =
            loaded
                .model()
                .tokenizer()
                .encodeChatPrompt(List.of(ChatMessage.user(chosenPrompts.get(p).prompt())));
        for (int r = 0; r < replies; r++) {
          encoded.add(prompt);
          params.add(
              new SamplingParams(
                  temperature, 0, 1, maxTokens, List.of(), seed * 1_000_003 + p * 31L + r));
        }
      }
      long start = System.nanoTime();
      List<GenerationResult> results =
          BatchGenerator.generate(
              loaded.model(),
              loaded.weights().parameterStore(),
              loaded.metadata().version(),
              encoded,
              params,
              32);
      System.err.printf(
          "build-pairs: %d replies in %.1f s%n", results.size(), (System.nanoTime() - start) / 1e9);
      for (int p = 0; p < chosenPrompts.size(); p++) {
        for (int r = 0; r < replies; r += 2) {
          GenerationResult first = results.get(p * replies + r);
          GenerationResult second = results.get(p * replies + r + 1);
          String a = first.text().strip();
          String b = second.text().strip();
          if (a.isEmpty() || b.isEmpty() || a.equals(b)) {
            continue;
          }
          BradleyTerryRater.Judgement judgement = rater.judge(a, b, random);
          ObjectNode row = json.createObjectNode();
          row.put("prompt", chosenPrompts.get(p).prompt());
          row.put("chosen", judgement.chosen());
          row.put("rejected", judgement.rejected());
          // a reply cut off by max tokens is trained without an end-of-turn token
          boolean chosenIsA = judgement.chosen().equals(a);
          row.put("chosen_ended", endedItsTurn(chosenIsA ? first : second));
          row.put("rejected_ended", endedItsTurn(chosenIsA ? second : first));
          row.put("chosen_score", annotator.score(judgement.chosen()));
          row.put("rejected_score", annotator.score(judgement.rejected()));
          row.put("source", chosenPrompts.get(p).source());
          lines.add(json.writeValueAsString(row));
        }
      }
    } finally {
      loaded.weights().release();
      loaded.model().close();
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, lines, StandardCharsets.UTF_8);
    System.err.printf("build-pairs: wrote %d pairs to %s%n", lines.size(), out);
    return 0;
  }

  private static boolean endedItsTurn(GenerationResult result) {
    return result.finishReason() == sail.server.inference.FinishReason.STOP;
  }
}
