package sail.server.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sail.server.bench.ModelBenchmark;
import sail.server.bench.RewardBenchmark;
import sail.server.bench.TrainBenchmark;
import sail.server.data.TrafficLog;
import sail.server.evaluation.Judges;
import sail.server.evaluation.ServedReplies;
import sail.server.model.Devices;
import sail.server.model.ModelLoader;
import sail.server.task.Prompt;
import sail.server.task.PromptSets;
import sail.server.task.TaskResources;
import sail.server.training.LoggedRewardLabels;
import sail.server.training.mixture.OfflinePairs;
import sail.server.training.reward.RewardExample;
import sail.server.training.reward.RewardLearner;
import sail.server.training.reward.TrainableReward;

/**
 * {@code ./sail bench model --json}: speed of the model core against this machine's peak. {@code
 * ./sail bench train --json}: SAIL training steps per route against DPO, and publish latency.
 * {@code ./sail bench reward --data-dir D --json}: how well the in-loop reward model learns the
 * feedback logged in D. {@code ./sail bench served --data-dir D --judge J}: the replies logged in D
 * judged version by version by the simulated annotator J.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks that print JSON. Targets: model (training and decoding speed), train (SAIL"
            + " steps per route against DPO, publish latency), reward (held-out accuracy of the"
            + " reward model on a server's logged feedback), served (a server's logged replies"
            + " judged per model version by a simulated annotator: score, appeal and gates).")
public final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "What to benchmark: model, train, reward or served.")
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

  @Option(names = "--batch", description = "train: preference rows per step (default 16).")
  int batch = 16;

  @Option(
      names = "--steps",
      description = "train: timed steps per route (default 6); reward: reward-model steps (200).")
  Integer steps;

  @Option(names = "--warmup", description = "train: untimed steps per route first (default 2).")
  int warmup = 2;

  @Option(names = "--publishes", description = "train: timed publishes (default 5).")
  int publishes = 5;

  @Option(names = "--pairs", description = "train: offline pairs (default: the shipped ones).")
  Path pairs;

  @Option(
      names = "--data-dir",
      description =
          "reward, served: a server's data directory; its traffic log is read, not changed.")
  Path dataDir;

  @Option(
      names = "--reward-batch",
      description = "reward: feedback examples per step (default: the server's).")
  Integer rewardBatch;

  @Option(names = "--reward-lr", description = "reward: learning rate (default: the server's).")
  Double rewardLr;

  @Option(
      names = "--reward-kind",
      description = "reward: words (default, the server's) or transformer.")
  String rewardKind = sail.server.config.ServerConfig.Training.DEFAULTS.rewardModelKind();

  @Option(
      names = "--reward-offline-pairs",
      description =
          "reward: also train on these offline preference pairs (JSONL), as a server whose"
              + " preset trains on the dataset does.")
  Path rewardOfflinePairs;

  @Option(
      names = "--judge",
      description =
          "reward: the preference behind the feedback (e.g. annotator:positive-sentiment), scored"
              + " on the same held-out examples as a ceiling; default none. served: the"
              + " judge (default annotator:positive-sentiment).")
  String judge;

  @Option(names = "--json", description = "Print only the JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (!List.of("model", "train", "reward", "served").contains(target)) {
      System.err.println(
          "bench: unknown target '" + target + "'; expected: model, train, reward or served");
      return 2;
    }
    if (List.of("reward", "served").contains(target) && dataDir == null) {
      System.err.println(
          "bench " + target + ": --data-dir is required (a server's data directory)");
      return 2;
    }
    if ("served".equals(target)) {
      try {
        Judges.validate(judge != null ? judge : Judges.DEFAULT);
      } catch (IllegalArgumentException e) {
        System.err.println("bench served: " + e.getMessage());
        return 2;
      }
      // no model: the replies are judged as the log holds them
      System.out.println(new ObjectMapper().writeValueAsString(served()));
      return 0;
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
          switch (target) {
            case "train" -> train(loaded);
            case "reward" -> reward(loaded);
            default ->
                ModelBenchmark.run(
                    loaded.model(), prompts, text, trainBatch, trainSteps, newTokens);
          };
      String out = new ObjectMapper().writeValueAsString(result);
      if (!json) {
        System.err.println("bench " + target + ": " + modelDir);
      }
      System.out.println(out);
    } finally {
      loaded.weights().release();
      loaded.model().close();
    }
    return 0;
  }

  /** The DPR route's reward source in this benchmark: the default task's simulated annotator. */
  static final String DPR_REWARDS = Judges.DEFAULT;

  /**
   * The first {@code count} pairs of {@code file}: as many as the steps can draw, so that scoring
   * them all for the reference cache before timing stays short.
   */
  private static OfflinePairs firstPairs(Path file, int count) throws java.io.IOException {
    List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
    return OfflinePairs.parse(file.toString(), lines.subList(0, Math.min(count, lines.size())));
  }

  private Map<String, Object> reward(ModelLoader.Loaded loaded) throws java.io.IOException {
    TrainableReward model;
    try {
      model = TrainableReward.create(rewardKind, loaded.model(), loaded.weights());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bench reward: " + e.getMessage(), e);
    }
    RewardLearner.Settings d = RewardLearner.Settings.of(rewardKind, 20240601L);
    RewardLearner.Settings settings =
        new RewardLearner.Settings(
            rewardBatch != null ? rewardBatch : d.batchSize(),
            rewardLr != null ? rewardLr : d.learningRate(),
            d.clipNorm(),
            d.windowPerStream(),
            d.heldOutEvery(),
            d.minTrainExamples(),
            d.evaluateEvery(),
            d.heldOutLimit(),
            d.readyAccuracy(),
            d.minLabelPairs(),
            0, // every step counts here: the benchmark measures how fast the model learns
            d.seed());
    return onLogCopy(
        log -> {
          Map<String, Object> result =
              RewardBenchmark.run(
                  model,
                  LoggedRewardLabels.of(log),
                  rewardOfflinePairs == null
                      ? List.of()
                      : RewardExample.Comparison.of(OfflinePairs.load(rewardOfflinePairs).pairs()),
                  judge == null ? null : Judges.annotator(judge),
                  settings,
                  steps != null ? steps : 200);
          result.put("data_dir", dataDir.toString());
          result.put("reward_kind", rewardKind);
          if (judge != null) {
            result.put("judge", judge);
          }
          return result;
        });
  }

  /**
   * The replies in the traffic log judged version by version ({@link ServedReplies}): where the
   * users' hidden score moved, and through which part of the judgement.
   */
  private Map<String, Object> served() throws java.io.IOException {
    String spec = judge != null ? judge : Judges.DEFAULT;
    ServedReplies replies = new ServedReplies(Judges.simulatedAnnotator(spec));
    return onLogCopy(
        log -> {
          log.forEachReply((reply, version) -> replies.add(version, reply));
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("data_dir", dataDir.toString());
          result.put("judge", spec);
          result.put("versions", replies.summaries());
          return result;
        });
  }

  /** What a benchmark computes from a traffic log. */
  private interface LogReader {
    Map<String, Object> read(TrafficLog log) throws java.io.IOException;
  }

  /**
   * Runs {@code reader} on a copy of {@code --data-dir}'s traffic log, so that a running server's
   * log is neither locked nor changed.
   */
  private Map<String, Object> onLogCopy(LogReader reader) throws java.io.IOException {
    Path copy = Files.createTempDirectory("sail-bench-log");
    try {
      for (String name : List.of("traffic.db", "traffic.db-wal")) {
        Path file = dataDir.resolve(name);
        if (Files.exists(file)) {
          Files.copy(file, copy.resolve(name));
        }
      }
      try (TrafficLog log = TrafficLog.open(copy)) {
        return reader.read(log);
      }
    } finally {
      delete(copy);
    }
  }

  private int trainSteps() {
    return steps != null ? steps : 6;
  }

  private static void delete(Path directory) throws java.io.IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  private Map<String, Object> train(ModelLoader.Loaded loaded) throws java.io.IOException {
    Path work = Files.createTempDirectory("sail-bench-train");
    try {
      Map<String, Object> result =
          TrainBenchmark.run(
              loaded.model(),
              loaded.weights(),
              loaded.metadata().version(),
              firstPairs(
                  pairs != null ? pairs : modelDir.resolveSibling("offline-pairs.jsonl"),
                  (warmup + trainSteps()) * batch),
              PromptSets.loadTrain().stream().map(Prompt::prompt).toList(),
              Judges.annotator(DPR_REWARDS),
              work,
              new TrainBenchmark.Settings(batch, warmup, trainSteps(), publishes, 20240601L));
      result.put("dpr_reward_source", DPR_REWARDS + " (simulated annotator)");
      return result;
    } finally {
      delete(work);
    }
  }
}
