package sail.server.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import sail.server.inference.BatchGenerator;
import sail.server.inference.GenerationResult;
import sail.server.inference.SamplingParams;
import sail.server.model.CausalLanguageModel;
import sail.server.model.GradMode;
import sail.server.training.ChatEncoding;
import sail.server.training.reward.RewardSource;

/**
 * Win-rate of a model version against the reference on held-out prompts (alignment-facts.md,
 * "Measuring wins"): one seeded reply per prompt from each side with the serving sampler, judged by
 * a {@link RewardSource}.
 *
 * <p>Evaluations run one at a time on the evaluator's own thread, with autograd off and one
 * intra-op thread (stack-notes.md, "Threads"). They sample from pinned {@link ModelVersions}
 * snapshots, never from the live parameters or the engine's batches, so serving and training go on
 * while an evaluation runs.
 */
public final class Evaluator implements AutoCloseable {
  /**
   * @param defaultPrompts prompts compared when a request names no count
   * @param temperature sampling temperature of both sides
   * @param maxNewTokens longest reply, in tokens
   * @param maxBatch most sequences decoded at once
   * @param defaultSeed seed when a request names none, so that repeated evaluations compare
   */
  public record Settings(
      int defaultPrompts, double temperature, int maxNewTokens, int maxBatch, long defaultSeed) {
    public Settings {
      if (defaultPrompts < 1 || maxNewTokens < 1 || maxBatch < 1 || !(temperature >= 0)) {
        throw new IllegalArgumentException(
            "defaultPrompts, maxNewTokens and maxBatch must be >= 1, temperature >= 0");
      }
    }

    /**
     * 200 prompts (as in alignment-facts.md), temperature 1, replies up to 48 tokens like the
     * trainer's rollouts ({@code PolicyRollouts.Settings.defaults()}), batches of 32.
     */
    public static Settings defaults() {
      return new Settings(200, 1.0, 48, 32, 20240601L);
    }
  }

  /**
   * What to evaluate.
   *
   * @param version the version, or empty for the served one
   * @param prompts how many held-out prompts, from the first; 0 for the default
   * @param seed seeds the replies, or empty for the default
   */
  public record Request(OptionalLong version, int prompts, OptionalLong seed) {
    public Request {
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(seed, "seed");
    }
  }

  private final CausalLanguageModel model;
  private final ModelVersions versions;
  private final RewardSource judge;
  private final String judgeName;
  private final List<String> prompts;
  private final Settings settings;
  private final ExecutorService thread;

  /**
   * @param versions the versions that can be evaluated (closed with this evaluator)
   * @param judge decides each comparison
   * @param judgeName how reports name the judge
   * @param prompts held-out prompts, used from the first
   */
  public Evaluator(
      CausalLanguageModel model,
      ModelVersions versions,
      RewardSource judge,
      String judgeName,
      List<String> prompts,
      Settings settings) {
    this.model = model;
    this.versions = versions;
    this.judge = judge;
    this.judgeName = judgeName;
    this.prompts = List.copyOf(prompts);
    this.settings = settings;
    this.thread =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread t = new Thread(task, "sail-evaluator");
              t.setDaemon(true);
              return t;
            });
  }

  /** The most prompts one evaluation can compare. */
  public int availablePrompts() {
    return prompts.size();
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Starts an evaluation on the evaluator's thread.
   *
   * @return completes with the report, or with {@link UnknownVersionException} or {@link
   *     IllegalArgumentException} (a prompt count out of range)
   */
  public CompletableFuture<EvaluationReport> submit(Request request) {
    return CompletableFuture.supplyAsync(() -> evaluate(request), thread);
  }

  /** Runs an evaluation on the calling thread (which must not be an event loop). */
  public EvaluationReport evaluate(Request request) {
    int n = request.prompts() == 0 ? settings.defaultPrompts() : request.prompts();
    if (n < 1 || n > prompts.size()) {
      throw new IllegalArgumentException(
          "prompts must be in [1, " + prompts.size() + "] (0 = the default), got " + n);
    }
    long seed = request.seed().orElse(settings.defaultSeed());
    List<String> asked = prompts.subList(0, Math.min(n, prompts.size()));
    boolean grad = GradMode.disable();
    GradMode.setThreadsForThisThread(1);
    try (ModelVersions.Pinned candidate =
            request.version().isPresent()
                ? versions.pin(request.version().getAsLong())
                : versions.served();
        ModelVersions.Pinned reference = versions.reference()) {
      List<String> candidateReplies = replies(candidate, asked, seed);
      List<String> referenceReplies = replies(reference, asked, seed);
      return new EvaluationReport(
          candidate.version(),
          reference.version(),
          judgeName,
          seed,
          HeadToHead.judge(asked, candidateReplies, referenceReplies, judge));
    } finally {
      GradMode.restore(grad);
    }
  }

  /**
   * One reply per prompt. Prompt i is sampled with the i-th seed of {@code seed} on both sides, so
   * two equal versions give equal replies and tie everywhere.
   */
  private List<String> replies(ModelVersions.Pinned version, List<String> asked, long seed) {
    // replies may use at most half the context, so every prompt keeps room (as in training)
    int maxNewTokens = Math.min(settings.maxNewTokens(), model.contextLength() / 2);
    int keep = model.contextLength() - maxNewTokens;
    SplittableRandom seeds = new SplittableRandom(seed);
    List<int[]> tokens = new ArrayList<>(asked.size());
    List<SamplingParams> params = new ArrayList<>(asked.size());
    for (String prompt : asked) {
      int[] ids = ChatEncoding.prompt(model.tokenizer(), prompt);
      // keep the most recent tokens so that prompt + reply fit the context
      tokens.add(ids.length > keep ? Arrays.copyOfRange(ids, ids.length - keep, ids.length) : ids);
      params.add(SamplingParams.sampled(settings.temperature(), maxNewTokens, seeds.nextLong()));
    }
    List<GenerationResult> results =
        BatchGenerator.generate(
            model,
            version.weights().parameterStore(),
            version.version(),
            tokens,
            params,
            settings.maxBatch());
    return results.stream().map(GenerationResult::text).toList();
  }

  /** Stops the evaluator's thread and releases the pinned reference. */
  @Override
  public void close() {
    thread.shutdownNow();
    versions.close();
  }
}
