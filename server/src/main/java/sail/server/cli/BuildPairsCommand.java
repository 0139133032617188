package sail.server.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
import sail.server.task.RoundRobin;
import sail.server.task.SimulatedAnnotator;

/**
 * {@code ./sail build-pairs}: the offline preference dataset. Samples several replies per training
 * prompt from the base model and labels pairs of them with the simulated Bradley–Terry rater: by
 * default the rater compares every two replies of a prompt ({@link RoundRobin}) and the one that
 * won the most choices is kept against another reply drawn at random (docs/model-card.md, "Offline
 * preference pairs", says why not against the one that won the fewest).
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

  @Option(names = "--prompts", description = "Training prompts to use (default 1600).")
  int promptCount = 1600;

  @Option(
      names = "--replies",
      description = "Replies per prompt (default 6; an even number with --pairing adjacent).")
  int replies = 6;

  /** How the replies to one prompt become pairs. */
  enum Pairing {
    /**
     * One pair per prompt: the winner of a round robin of the rater's choices against another of
     * the prompt's replies drawn at random (UltraFeedback's binarised pairs, Cui et al. 2023).
     */
    best,
    /** One pair per prompt: the two ends of a round robin of the rater's choices. */
    extremes,
    /** Replies 1 and 2, 3 and 4, ... each judged once (the dataset shipped before 2026-11-29). */
    adjacent
  }

  @Option(
      names = "--pairing",
      description =
          "best (default): the rater judges every pair of a prompt's replies and the one that won"
              + " the most choices is kept against another drawn at random; extremes: against the"
              + " one that won the fewest; adjacent: replies 1 and 2, 3 and 4, ... each judged"
              + " once.")
  Pairing pairing = Pairing.best;

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
    if (replies < 2 || (pairing == Pairing.adjacent && replies % 2 != 0)) {
      System.err.println(
          "build-pairs: --replies must be >= 2, and even with --pairing adjacent; got " + replies);
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
        List<GenerationResult> own = results.subList(p * replies, (p + 1) * replies);
        for (GenerationResult[] pair : pairsOf(own, rater, random)) {
          String chosen = pair[0].text().strip();
          String rejected = pair[1].text().strip();
          ObjectNode row = json.createObjectNode();
          row.put("prompt", chosenPrompts.get(p).prompt());
          row.put("chosen", chosen);
          row.put("rejected", rejected);
          // a reply cut off by max tokens is trained without an end-of-turn token
          row.put("chosen_ended", endedItsTurn(pair[0]));
          row.put("rejected_ended", endedItsTurn(pair[1]));
          row.put("chosen_score", annotator.score(chosen));
          row.put("rejected_score", annotator.score(rejected));
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

  /**
   * The labelled pairs of one prompt's replies, each as (chosen, rejected). Empty replies and
   * repeats of an earlier reply are left out: a pair of equal texts teaches nothing.
   */
  private List<GenerationResult[]> pairsOf(
      List<GenerationResult> own, BradleyTerryRater rater, SplittableRandom random) {
    return pairing == Pairing.adjacent
        ? adjacentPairs(own, rater, random)
        : roundRobinPair(own, rater, random);
  }

  /** Replies 1 and 2, 3 and 4, ... each judged once. */
  private static List<GenerationResult[]> adjacentPairs(
      List<GenerationResult> own, BradleyTerryRater rater, SplittableRandom random) {
    List<GenerationResult[]> pairs = new ArrayList<>();
    for (int r = 0; r + 1 < own.size(); r += 2) {
      String a = own.get(r).text().strip();
      String b = own.get(r + 1).text().strip();
      if (a.isEmpty() || b.isEmpty() || a.equals(b)) {
        continue;
      }
      boolean firstChosen = rater.judge(a, b, random).chosen().equals(a);
      pairs.add(
          firstChosen
              ? new GenerationResult[] {own.get(r), own.get(r + 1)}
              : new GenerationResult[] {own.get(r + 1), own.get(r)});
    }
    return pairs;
  }

  /**
   * One pair from a round robin of the rater's choices among the distinct replies: its winner
   * against another reply drawn at random ({@link Pairing#best}) or against its loser ({@link
   * Pairing#extremes}); none when fewer than two distinct replies remain.
   */
  private List<GenerationResult[]> roundRobinPair(
      List<GenerationResult> own, BradleyTerryRater rater, SplittableRandom random) {
    List<GenerationResult[]> pairs = new ArrayList<>();
    List<GenerationResult> distinct = new ArrayList<>();
    // distinct texts in order of first appearance, each beside its reply in distinct
    Set<String> texts = new LinkedHashSet<>();
    for (GenerationResult result : own) {
      String text = result.text().strip();
      if (!text.isEmpty() && texts.add(text)) {
        distinct.add(result);
      }
    }
    if (distinct.size() >= 2) {
      RoundRobin.Ranking ranking = RoundRobin.rank(List.copyOf(texts), rater, random);
      // best: any reply but the winner, alike, so that the rejected side stays a typical reply
      int rejected =
          pairing == Pairing.best
              ? RoundRobin.drawOther(ranking.best(), distinct.size(), random)
              : ranking.worst();
      pairs.add(new GenerationResult[] {distinct.get(ranking.best()), distinct.get(rejected)});
    }
    return pairs;
  }

  private static boolean endedItsTurn(GenerationResult result) {
    return result.finishReason() == sail.server.inference.FinishReason.STOP;
  }
}
