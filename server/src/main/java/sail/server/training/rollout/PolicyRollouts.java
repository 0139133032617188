package sail.server.training.rollout;

import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import sail.server.inference.BatchGenerator;
import sail.server.inference.GenerationResult;
import sail.server.inference.SamplingParams;
import sail.server.model.CausalLanguageModel;
import sail.server.training.ChatEncoding;

/**
 * Fresh samples for the DPP and DPR routes: two replies per prompt from the current policy, with
 * the same sampler that serves users (sail-objective.md, section 3: two samples per prompt,
 * temperature 0.9).
 *
 * <p>Runs on the calling (training) thread with autograd off; the replies are decoded with
 * continuous batching, so prompts of different lengths share the batch.
 */
public final class PolicyRollouts {
  /**
   * @param temperature sampling temperature (the authors' 0.9)
   * @param maxNewTokens longest reply, in tokens
   * @param maxBatch most sequences decoded at once
   */
  public record Settings(double temperature, int maxNewTokens, int maxBatch) {
    public static final double DEFAULT_TEMPERATURE = 0.9;

    public Settings {
      if (!(temperature > 0) || Double.isInfinite(temperature)) {
        throw new IllegalArgumentException(
            "rollout temperature must be > 0 (two greedy replies would be equal), got "
                + temperature);
      }
      if (maxNewTokens < 1 || maxBatch < 1) {
        throw new IllegalArgumentException("maxNewTokens and maxBatch must be >= 1");
      }
    }

    /** Temperature 0.9, replies up to 48 tokens, batches of up to 32 sequences. */
    public static Settings defaults() {
      return new Settings(DEFAULT_TEMPERATURE, 48, 32);
    }
  }

  private final CausalLanguageModel model;
  private final Settings settings;

  public PolicyRollouts(CausalLanguageModel model, Settings settings) {
    this.model = model;
    this.settings = settings;
    if (settings.maxNewTokens() >= model.contextLength()) {
      throw new IllegalArgumentException(
          "maxNewTokens "
              + settings.maxNewTokens()
              + " leaves no room for a prompt in context "
              + model.contextLength());
    }
  }

  /**
   * Samples two replies for each prompt.
   *
   * @param weights the policy's parameters: {@link CausalLanguageModel#liveParameters()} or a
   *     {@link sail.server.model.WeightSnapshot}'s store
   * @param version the version those parameters are, recorded with every pair
   * @param seed seeds every reply; the same seed, weights and prompts give the same pairs
   * @return one pair per prompt, in the order of {@code prompts}
   */
  public List<RolloutPair> sample(
      List<String> prompts, ParameterStore weights, long version, long seed) {
    return sample(prompts, weights, version, seed, settings.temperature());
  }

  /** As {@link #sample(List, ParameterStore, long, long)} at another temperature (0 = greedy). */
  public List<RolloutPair> sample(
      List<String> prompts, ParameterStore weights, long version, long seed, double temperature) {
    List<RolloutCandidates> candidates = generate(prompts, weights, version, seed, temperature, 2);
    List<RolloutPair> pairs = new ArrayList<>(candidates.size());
    for (RolloutCandidates c : candidates) {
      pairs.add(c.pair(0, 1));
    }
    return pairs;
  }

  /**
   * Samples {@code perPrompt} replies for each prompt, at the configured temperature.
   *
   * @param perPrompt replies per prompt, at least two; with two, the same replies as {@link
   *     #sample(List, ParameterStore, long, long)} with the same seed
   * @return the replies of each prompt, in the order of {@code prompts}
   */
  public List<RolloutCandidates> candidates(
      List<String> prompts, ParameterStore weights, long version, long seed, int perPrompt) {
    return generate(prompts, weights, version, seed, settings.temperature(), perPrompt);
  }

  private List<RolloutCandidates> generate(
      List<String> prompts,
      ParameterStore weights,
      long version,
      long seed,
      double temperature,
      int perPrompt) {
    if (perPrompt < 2) {
      throw new IllegalArgumentException("perPrompt must be >= 2, got " + perPrompt);
    }
    // each prompt perPrompt times, adjacent: the replies of prompt i are results
    // perPrompt·i ... perPrompt·i + perPrompt − 1
    int keep = model.contextLength() - settings.maxNewTokens();
    List<int[]> promptTokens = new ArrayList<>(prompts.size());
    List<int[]> requests = new ArrayList<>(perPrompt * prompts.size());
    List<SamplingParams> params = new ArrayList<>(perPrompt * prompts.size());
    SplittableRandom seeds = new SplittableRandom(seed);
    for (String prompt : prompts) {
      int[] ids = ChatEncoding.prompt(model.tokenizer(), prompt);
      // keep the most recent tokens so that prompt + reply fit the context uncut
      int[] cut = ids.length > keep ? Arrays.copyOfRange(ids, ids.length - keep, ids.length) : ids;
      promptTokens.add(cut);
      for (int copy = 0; copy < perPrompt; copy++) {
        requests.add(cut);
        params.add(
            new SamplingParams(
                temperature, 0, 1, settings.maxNewTokens(), List.of(), seeds.nextLong()));
      }
    }
    List<GenerationResult> results =
        BatchGenerator.generate(model, weights, version, requests, params, settings.maxBatch());

    List<RolloutCandidates> out = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      List<RolloutPair.Reply> replies = new ArrayList<>(perPrompt);
      for (int copy = 0; copy < perPrompt; copy++) {
        replies.add(reply(results.get(perPrompt * i + copy)));
      }
      out.add(new RolloutCandidates(i, prompts.get(i), promptTokens.get(i), replies, version));
    }
    return out;
  }

  public Settings settings() {
    return settings;
  }

  private static RolloutPair.Reply reply(GenerationResult result) {
    return new RolloutPair.Reply(
        result.text(), result.tokens(), result.sumLogProb(), result.finishReason());
  }
}
