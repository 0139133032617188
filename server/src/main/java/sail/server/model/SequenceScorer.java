package sail.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * Log-probabilities of responses given prompts: the building block of DPO and SAIL, where ℓ(y) =
 * log π(y | x) is the <em>sum</em> over the response tokens only (sail-objective.md §1).
 *
 * <p>Pairs are laid out right-padded: {@code prompt ++ response}, shifted by one for next-token
 * targets; a mask selects the targets that belong to the response. Causal attention means the
 * padding after a sequence never influences its own positions, so the scores do not depend on what
 * else is in the batch.
 */
public final class SequenceScorer {
  private SequenceScorer() {}

  /**
   * One scored sequence.
   *
   * @param prompt prompt ids (conditioning only)
   * @param response response ids whose log-probability is summed
   */
  public record Example(int[] prompt, int[] response) {}

  /**
   * A collated batch in row-major Java arrays.
   *
   * @param inputs {@code (batch, time)} input ids
   * @param targets {@code (batch, time)} next-token ids
   * @param mask {@code (batch, time)} 1 where the target is a response token
   * @param responseTokens number of scored tokens per row
   */
  public record Collated(
      long[] inputs, long[] targets, float[] mask, int batch, int time, int[] responseTokens) {}

  /**
   * Lays out examples for a model with context {@code contextLength}. An over-long example keeps
   * its response (cut at the end if it alone is too long) and drops the oldest prompt tokens.
   */
  public static Collated collate(List<Example> examples, int contextLength, int padId) {
    int batch = examples.size();
    int[][] sequences = new int[batch][];
    int[] promptLengths = new int[batch];
    int time = 1;
    for (int b = 0; b < batch; b++) {
      Example example = examples.get(b);
      int response = Math.min(example.response().length, contextLength - 1);
      int prompt = Math.min(example.prompt().length, contextLength - response);
      int[] sequence = new int[prompt + response];
      System.arraycopy(example.prompt(), example.prompt().length - prompt, sequence, 0, prompt);
      System.arraycopy(example.response(), 0, sequence, prompt, response);
      sequences[b] = sequence;
      promptLengths[b] = prompt;
      time = Math.max(time, sequence.length - 1);
    }
    long[] inputs = new long[batch * time];
    long[] targets = new long[batch * time];
    float[] mask = new float[batch * time];
    int[] responseTokens = new int[batch];
    java.util.Arrays.fill(inputs, padId);
    java.util.Arrays.fill(targets, padId);
    for (int b = 0; b < batch; b++) {
      int[] sequence = sequences[b];
      for (int t = 0; t + 1 < sequence.length; t++) {
        inputs[b * time + t] = sequence[t];
        targets[b * time + t] = sequence[t + 1];
        // target index t+1 is a response token when it lies at or after the prompt's end
        if (t + 1 >= promptLengths[b]) {
          mask[b * time + t] = 1f;
          responseTokens[b]++;
        }
      }
    }
    return new Collated(inputs, targets, mask, batch, time, responseTokens);
  }

  /**
   * Per-token log-probabilities of the targets, zero outside the response.
   *
   * @param training true to record the autograd graph (policy); false for the reference
   * @return {@code (batch, time)} float32
   */
  public static NDArray tokenLogProbs(
      CausalLanguageModel model, ParameterStore weights, Collated batch, boolean training) {
    NDManager manager = model.manager();
    Shape shape = new Shape(batch.batch(), batch.time());
    NDArray inputs = manager.create(batch.inputs(), shape);
    NDArray targets = manager.create(batch.targets(), shape.add(1));
    NDArray mask = manager.create(batch.mask(), shape);
    NDArray logProbs = model.logits(weights, inputs, training).logSoftmax(-1);
    return logProbs.gather(targets, 2).squeeze(2).mul(mask);
  }

  /** ℓ per row: the summed response log-probability, {@code (batch)}. */
  public static NDArray sumLogProbs(
      CausalLanguageModel model, ParameterStore weights, Collated batch, boolean training) {
    return tokenLogProbs(model, weights, batch, training).sum(new int[] {1});
  }
}
