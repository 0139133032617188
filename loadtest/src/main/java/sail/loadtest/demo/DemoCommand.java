package sail.loadtest.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sail.client.SailClient;
import sail.client.Target;
import sail.loadtest.LoadPlan;
import sail.loadtest.LoadRun;
import sail.loadtest.report.HtmlReport;
import sail.loadtest.users.CallMix;
import sail.loadtest.users.FeedbackPolicy;
import sail.loadtest.users.HiddenJudge;
import sail.loadtest.users.PromptSource;
import sail.server.RunningServer;
import sail.server.ServerMain;
import sail.server.config.ConfigLoader;
import sail.server.config.ServerConfig;
import sail.server.evaluation.HeadToHead;
import sail.server.evaluation.WinRate;
import sail.server.task.Prompt;
import sail.server.task.PromptSets;
import sail.v1.Completion;
import sail.v1.GenerateRequest;
import sail.v1.StatusResponse;

/**
 * {@code ./sail demo}: the product at work in one command. Starts a server on the embedded model
 * with training on (fresh data directory), and lets simulated users with a hidden preference use
 * it:
 *
 * <ol>
 *   <li>the base version answers the evaluation prompts (one seeded sample each, not logged);
 *   <li>training paused: the users load the server for a short phase (throughput, training off);
 *   <li>training on: the users keep using it and giving feedback, which is all the server learns
 *       their taste from;
 *   <li>training paused again, and the steps since the last periodic publish published if they pass
 *       the publish guards: the final served version answers the same prompts with the same seeds,
 *       and the hidden judge compares the two prompt by prompt.
 * </ol>
 *
 * The users' prompts and the evaluation prompts are disjoint parts of the held-out set.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Start a server with training on, let simulated users with a hidden preference use it and"
            + " give feedback, and show how much the served model improved under their taste.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--minutes", defaultValue = "15", description = "total budget (default 15)")
  double minutes;

  @Option(
      names = "--preference",
      defaultValue = "positive-sentiment",
      description = "the users' hidden preference: positive-sentiment (default), family-topic")
  String preference;

  @Option(
      names = "--preset",
      description =
          "training preset (default: 'default' for positive-sentiment, whose shipped offline pairs"
              + " it matches; 'feedback-only' for any other preference)")
  String preset;

  @Option(names = "--concurrency", defaultValue = "8", description = "simulated users (default 8)")
  int concurrency;

  @Option(
      names = "--eval-prompts",
      defaultValue = "800",
      description =
          "held-out prompts of the before/after comparison (default 800: a 95% interval of about"
              + " ±3.4 points, and distinct words counted over about 6,900 words a side)")
  int evalPrompts;

  @Option(names = "--max-tokens", defaultValue = "48", description = "reply length (default 48)")
  int maxTokens;

  @Option(
      names = "--off-seconds",
      defaultValue = "60",
      description = "length of the training-off phase (default 60)")
  int offSeconds;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "a server config key, e.g. --set training.learning_rate=1e-4 (repeatable)")
  Map<String, String> settings = new HashMap<>();

  @Option(names = "--data-dir", description = "server data directory (default: a new temp dir)")
  Path dataDir;

  @Option(names = "--report", description = "write the full JSON report here")
  Path report;

  @Option(names = "--html", description = "write an HTML report of the training-on phase here")
  Path html;

  @Option(names = "--json", description = "end the output with one JSON line of the results")
  boolean json;

  /**
   * Time kept back from the training phase for start-up, the final publish and the two evaluations.
   */
  static final Duration RESERVED = Duration.ofSeconds(150);

  /** Evaluation requests in flight at once: within the engine's batch, well under its queue. */
  static final int EVAL_IN_FLIGHT = 16;

  /** Seed of the i-th evaluation prompt's sample: the same for the base and the final version. */
  static long evalSeed(int i) {
    return 1_000_003L * (i + 1);
  }

  @Override
  public Integer call() throws Exception {
    long started = System.nanoTime();
    HiddenJudge judge = HiddenJudge.named(preference);
    String trainingPreset =
        preset != null
            ? preset
            : "positive-sentiment".equals(preference) ? "default" : "feedback-only";
    Duration trainPhase =
        Duration.ofMillis((long) (minutes * 60_000)).minus(RESERVED).minusSeconds(offSeconds);
    if (trainPhase.toSeconds() < 30) {
      throw new IllegalArgumentException(
          "--minutes "
              + minutes
              + " leaves "
              + trainPhase.toSeconds()
              + " s of training; give at least "
              + (RESERVED.toSeconds() + offSeconds + 30) / 60.0
              + " minutes");
    }
    List<String> heldOut = PromptSets.loadHeldOut().stream().map(Prompt::prompt).toList();
    if (heldOut.size() < evalPrompts + 50) {
      throw new IllegalArgumentException(
          "the held-out set has " + heldOut.size() + " prompts; --eval-prompts must leave 50");
    }
    List<String> evaluation = heldOut.subList(0, evalPrompts);
    List<String> userPrompts = heldOut.subList(evalPrompts, heldOut.size());

    Path data = dataDir != null ? dataDir : Files.createTempDirectory("sail-demo-");
    Map<String, String> overrides = new HashMap<>();
    overrides.put("http.port", "0");
    overrides.put("data_dir", data.toString());
    overrides.put("train", "true");
    overrides.put("training.preset", trainingPreset);
    overrides.putAll(settings);
    ServerConfig config = ConfigLoader.load(null, overrides);
    say(
        "demo: preference %s (hidden from the server), preset %s, %d users, data in %s",
        judge.preferenceName(), trainingPreset, concurrency, data);

    try (RunningServer server = ServerMain.start(config, ServerMain.ENGINE)) {
      server.engineLoaded().get(10, TimeUnit.MINUTES);
      Vertx vertx = Vertx.vertx();
      String target = "127.0.0.1:" + server.port();
      SailClient client = new SailClient(vertx, Target.parse(target), Duration.ofMinutes(2));
      try {
        client.pauseTraining().await();
        say("base version answers %d evaluation prompts ...", evaluation.size());
        Samples base = sample(client, evaluation);

        LoadPlan plan =
            new LoadPlan(
                target,
                Duration.ofSeconds(offSeconds),
                concurrency,
                new CallMix(0.5),
                maxTokens,
                OptionalDouble.of(1.0),
                false,
                Duration.ofMinutes(2),
                Duration.ofSeconds(30),
                Duration.ofSeconds(15),
                Duration.ofMillis(200));
        PromptSource prompts = PromptSource.cycle(userPrompts);
        say("training off: users for %d s ...", offSeconds);
        JsonObject off =
            new LoadRun(plan, 0, judge, FeedbackPolicy.DEFAULT, 7).execute(vertx, client, prompts);

        client.resumeTraining().await();
        say("training on: users for %d s ...", trainPhase.toSeconds());
        JsonObject on =
            new LoadRun(plan.withDuration(trainPhase), 0, judge, FeedbackPolicy.DEFAULT, 8)
                .execute(vertx, client, prompts);
        client.pauseTraining().await();
        // the steps since the last periodic publish would otherwise be left out of the final
        // version; the same guards decide
        sail.v1.PublishResponse last = client.publish().await();
        say(
            last.getPublished()
                ? "published the last steps as version " + last.getModelVersion()
                : "final publish: " + last.getDetail());
        StatusResponse status = client.status().await();

        say("final version answers the same prompts ...");
        Samples fin = sample(client, evaluation);
        HeadToHead result = judge.compare(evaluation, base.texts(), fin.texts());

        JsonObject summary =
            summary(result, base, fin, off, on, status, judge, trainingPreset, started);
        JsonObject full =
            summary
                .copy()
                .put("phases", new JsonObject().put("training_off", off).put("training_on", on));
        if (report != null) {
          Files.writeString(report, full.encodePrettily() + "\n", StandardCharsets.UTF_8);
        }
        if (html != null) {
          Files.writeString(
              html,
              HtmlReport.render(
                  "SAIL demo: training on, users with a hidden "
                      + judge.preferenceName()
                      + " preference",
                  on),
              StandardCharsets.UTF_8);
        }
        System.out.println(table(summary));
        if (json) {
          System.out.println(summary.encode());
        }
      } finally {
        client.close();
        vertx.close().await();
      }
    }
    return 0;
  }

  /** Replies of the served version to {@code prompts}, one seeded sample each, not logged. */
  private Samples sample(SailClient client, List<String> prompts) {
    List<String> texts = new ArrayList<>(prompts.size());
    TreeSet<Long> versions = new TreeSet<>();
    for (int from = 0; from < prompts.size(); from += EVAL_IN_FLIGHT) {
      List<Future<sail.v1.GenerateResponse>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(prompts.size(), from + EVAL_IN_FLIGHT); i++) {
        batch.add(
            client.generate(
                GenerateRequest.newBuilder()
                    .setPrompt(prompts.get(i))
                    .setMaxTokens(maxTokens)
                    .setTemperature(1.0)
                    .setSeed(evalSeed(i))
                    .setNoLog(true)
                    .setClientId("demo-evaluation")
                    .build()));
      }
      Future.all(batch).await();
      for (Future<sail.v1.GenerateResponse> reply : batch) {
        Completion c = reply.result().getCompletions(0);
        texts.add(c.getText());
        versions.add(c.getModelVersion());
      }
    }
    return new Samples(texts, versions);
  }

  private record Samples(List<String> texts, TreeSet<Long> versions) {}

  private JsonObject summary(
      HeadToHead r,
      Samples base,
      Samples fin,
      JsonObject off,
      JsonObject on,
      StatusResponse status,
      HiddenJudge judge,
      String trainingPreset,
      long started) {
    WinRate w = r.winRate();
    double[] ci = w.ci95();
    return new JsonObject()
        .put("preference", judge.preferenceName())
        .put("preset", trainingPreset)
        .put("settings", new JsonObject(new HashMap<String, Object>(settings)))
        .put("prompts", w.comparisons())
        .put("win_rate", w.rate())
        .put("win_rate_ci95", new JsonArray().add(ci[0]).add(ci[1]))
        .put("wins", w.wins())
        .put("ties", w.ties())
        .put("losses", w.losses())
        .put("tie_rate", w.tieRate())
        .put("mean_score_base", r.referenceMeanScore())
        .put("mean_score_final", r.meanScore())
        .put("base_versions", new JsonArray(new ArrayList<>(base.versions())))
        .put("final_versions", new JsonArray(new ArrayList<>(fin.versions())))
        .put("fluency_base", HiddenJudge.toJson(r.referenceFluency()))
        .put("fluency_final", HiddenJudge.toJson(r.fluency()))
        .put("fluency_within_10_percent", r.fluency().within(r.referenceFluency(), 0.10))
        .put("tokens_per_s_training_off", off.getDouble("tokens_per_s"))
        .put("tokens_per_s_training_on", on.getDouble("tokens_per_s"))
        .put(
            "throughput_ratio_training_on_off",
            on.getDouble("tokens_per_s") / Math.max(1e-9, off.getDouble("tokens_per_s")))
        .put("latency_p99_ms_training_off", p99(off))
        .put("latency_p99_ms_training_on", p99(on))
        .put("latency_p99_ratio_training_on_off", p99(on) / Math.max(1e-9, p99(off)))
        .put("errors", off.getLong("errors") + on.getLong("errors"))
        .put(
            "overload_refusals", off.getLong("overload_refusals") + on.getLong("overload_refusals"))
        .put("feedback", on.getJsonObject("feedback"))
        .put("feedback_training_off", off.getJsonObject("feedback"))
        .put("training", training(status.getTraining()))
        .put("elapsed_s", (System.nanoTime() - started) / 1e9);
  }

  private static double p99(JsonObject phase) {
    return phase.getJsonObject("latency_ms").getDouble("p99");
  }

  private static JsonObject training(sail.v1.TrainingStatus t) {
    JsonObject out =
        new JsonObject()
            .put("steps", t.getStep())
            .put("published_version", t.getPublishedVersion())
            .put("state", t.getState());
    if (t.hasRewardModel()) {
      out.put("reward_model", sail.client.cli.Output.rewardModel(t.getRewardModel()));
    }
    if (t.hasTime()) {
      out.put("time_s", sail.client.cli.Output.trainingTime(t.getTime()));
    }
    return out;
  }

  private static String timeLine(JsonObject time) {
    if (time == null) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        "trainer's time: update %.0f s, data %.0f s, reward model %.0f s, publish %.0f s,"
            + " checkpoint %.0f s%n",
        time.getDouble("update"),
        time.getDouble("data"),
        time.getDouble("reward_model"),
        time.getDouble("publish"),
        time.getDouble("checkpoint"));
  }

  static String table(JsonObject s) {
    JsonArray ci = s.getJsonArray("win_rate_ci95");
    JsonObject fb = s.getJsonObject("fluency_base");
    JsonObject ff = s.getJsonObject("fluency_final");
    JsonObject t = s.getJsonObject("training");
    return String.format(
        Locale.ROOT,
        "%n                       base (v%s)   final (v%s)%n"
            + "mean hidden score      %8.4f   %8.4f%n"
            + "repetition rate        %8.3f   %8.3f%n"
            + "distinct-word ratio    %8.3f   %8.3f   (first %d words of each; all words: %.3f / %.3f)%n"
            + "dictionary share       %8.3f   %8.3f%n"
            + "win-rate final vs base %.1f%% (95%% CI %.1f%%–%.1f%%) on %d prompts:"
            + " %d wins, %d ties (%.1f%%), %d losses%n"
            + "fluency within 10%% of base: %s%n"
            + "throughput training on/off: %.0f / %.0f tokens/s = %.2f%n"
            + "latency p99 training on/off: %.0f / %.0f ms = %.2f%n"
            + "training: %d steps, published version %d; errors %d, overload refusals %d%n"
            + "%s"
            + "%s"
            + "preference %s, preset %s, %.0f s",
        s.getJsonArray("base_versions").encode(),
        s.getJsonArray("final_versions").encode(),
        s.getDouble("mean_score_base"),
        s.getDouble("mean_score_final"),
        fb.getDouble("repetition_rate"),
        ff.getDouble("repetition_rate"),
        fb.getDouble("distinct_word_ratio"),
        ff.getDouble("distinct_word_ratio"),
        ff.getInteger("distinct_words_counted"),
        fb.getDouble("distinct_word_ratio_pooled"),
        ff.getDouble("distinct_word_ratio_pooled"),
        fb.getDouble("dictionary_share"),
        ff.getDouble("dictionary_share"),
        100 * s.getDouble("win_rate"),
        100 * ci.getDouble(0),
        100 * ci.getDouble(1),
        s.getInteger("prompts"),
        s.getInteger("wins"),
        s.getInteger("ties"),
        100 * s.getDouble("tie_rate"),
        s.getInteger("losses"),
        s.getBoolean("fluency_within_10_percent"),
        s.getDouble("tokens_per_s_training_on"),
        s.getDouble("tokens_per_s_training_off"),
        s.getDouble("throughput_ratio_training_on_off"),
        s.getDouble("latency_p99_ms_training_on"),
        s.getDouble("latency_p99_ms_training_off"),
        s.getDouble("latency_p99_ratio_training_on_off"),
        t.getLong("steps"),
        t.getLong("published_version"),
        s.getLong("errors"),
        s.getLong("overload_refusals"),
        rewardLine(t.getJsonObject("reward_model")),
        timeLine(t.getJsonObject("time_s")),
        s.getString("preference"),
        s.getString("preset"),
        s.getDouble("elapsed_s"));
  }

  private static String rewardLine(JsonObject model) {
    if (model == null) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        "reward model: %d steps, held-out accuracy %s (ranking %s) on %d examples, %s%n",
        model.getLong("steps"),
        model.containsKey("accuracy")
            ? String.format(Locale.ROOT, "%.3f", model.getDouble("accuracy"))
            : "not measured",
        model.containsKey("ranking_accuracy")
            ? String.format(Locale.ROOT, "%.3f", model.getDouble("ranking_accuracy"))
            : "not measured",
        model.getInteger("held_out_examples"),
        model.getBoolean("ready") ? "labelling fresh DPR rows" : "not yet labelling");
  }

  private static void say(String format, Object... args) {
    System.err.println(String.format(Locale.ROOT, format, args));
  }
}
