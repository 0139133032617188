package sail.server.inference;

import java.util.List;

/**
 * Per-sequence sampling parameters. Validated by the API layer before they reach the engine; the
 * constructor re-checks the invariants so a bad value can never reach the sampler.
 *
 * @param temperature 0 means greedy (argmax); otherwise logits are divided by it
 * @param topK keep only the k most likely tokens; 0 disables the filter
 * @param topP nucleus sampling: keep the smallest set of tokens whose probability sums to at least
 *     p; 1 disables the filter
 * @param maxNewTokens upper bound on generated tokens (the context length also bounds it)
 * @param stop stop sequences: generation ends when the decoded text ends with any of them (the stop
 *     sequence itself is not returned)
 * @param seed seed of the sequence's own random source; the same seed and model version give the
 *     same output
 */
public record SamplingParams(
    double temperature, int topK, double topP, int maxNewTokens, List<String> stop, long seed) {

  public SamplingParams {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("max_tokens must be >= 1, got " + maxNewTokens);
    }
    stop = List.copyOf(stop);
  }

  /** Greedy decoding of up to {@code maxNewTokens} tokens. */
  public static SamplingParams greedy(int maxNewTokens) {
    return new SamplingParams(0, 0, 1, maxNewTokens, List.of(), 0);
  }

  /** Plain temperature sampling with a fixed seed. */
  public static SamplingParams sampled(double temperature, int maxNewTokens, long seed) {
    return new SamplingParams(temperature, 0, 1, maxNewTokens, List.of(), seed);
  }
}
