package sail.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
    return tokenScores(model, weights, batch, training, false).logProbs();
  }

  /**
   * Scores of a batch, float32: per token {@code (batch, time)}, zero outside the response, from
   * {@link #tokenScores}; summed per example {@code (size)} from {@link #rowScores}.
   *
   * @param logProbs log-probability of the target tokens
   * @param entropies entropy in nats of the whole next-token distribution at the response
   *     positions, or null when not asked for
   */
  public record TokenScores(NDArray logProbs, NDArray entropies) {}

  /**
   * Log-probabilities of the targets and, when {@code withEntropy}, the entropy H = −Σ_v p_v·log
   * p_v of the next-token distribution at each response position, from one forward pass.
   *
   * @param training true to record the autograd graph (policy); false for the reference
   */
  public static TokenScores tokenScores(
      CausalLanguageModel model,
      ParameterStore weights,
      Collated batch,
      boolean training,
      boolean withEntropy) {
    NDManager manager = model.manager();
    Shape shape = new Shape(batch.batch(), batch.time());
    NDArray inputs = manager.create(batch.inputs(), shape);
    NDArray targets = manager.create(batch.targets(), shape.add(1));
    NDArray mask = manager.create(batch.mask(), shape);
    NDArray logProbs = model.logits(weights, inputs, training).logSoftmax(-1);
    NDArray picked = logProbs.gather(targets, 2).squeeze(2).mul(mask);
    NDArray entropies =
        withEntropy ? logProbs.exp().mul(logProbs).sum(new int[] {2}).neg().mul(mask) : null;
    return new TokenScores(picked, entropies);
  }

  /** ℓ per row: the summed response log-probability, {@code (batch)}. */
  public static NDArray sumLogProbs(
      CausalLanguageModel model, ParameterStore weights, Collated batch, boolean training) {
    return tokenLogProbs(model, weights, batch, training).sum(new int[] {1});
  }

  /**
   * Examples laid out as a few batches of similar length instead of one: a batch is padded to its
   * longest row, and a training batch mixes prompts and replies of 60 to 190 tokens (the shipped
   * pairs and the users' logged replies), so about 40% of one padded batch's positions would be
   * padding. The split minimises Σ rows·time + {@link #BUCKET_OVERHEAD_TOKENS} per batch.
   *
   * @param batches the collated batches, shortest rows first
   * @param rows for each batch, the indices of its examples in the caller's list
   * @param size the number of examples
   */
  public record Buckets(List<Collated> batches, List<int[]> rows, int size) {
    /** Scored tokens per example, in the caller's order. */
    public int[] responseTokens() {
      int[] tokens = new int[size];
      for (int k = 0; k < batches.size(); k++) {
        int[] members = rows.get(k);
        for (int j = 0; j < members.length; j++) {
          tokens[members[j]] = batches.get(k).responseTokens()[j];
        }
      }
      return tokens;
    }

    /** Positions computed, padding included, over all batches. */
    public long positions() {
      return batches.stream().mapToLong(b -> (long) b.batch() * b.time()).sum();
    }
  }

  /**
   * What one more batch costs in token positions: a forward and backward pass runs a few hundred
   * native operations whatever its size, each with a fixed overhead.
   */
  static final int BUCKET_OVERHEAD_TOKENS = 256;

  /**
   * Groups {@code examples} into at most {@code maxBatches} batches of similar length (fewer when
   * another batch would cost more than the padding it saves) and collates each.
   */
  public static Buckets collateByLength(
      List<Example> examples, int contextLength, int padId, int maxBatches) {
    if (maxBatches < 1) {
      throw new IllegalArgumentException("maxBatches must be >= 1, got " + maxBatches);
    }
    int n = examples.size();
    long[] time = new long[n];
    for (int i = 0; i < n; i++) {
      time[i] = time(examples.get(i), contextLength);
    }
    Integer[] order = byLength(examples, contextLength);
    // cost[k][j]: the cheapest split of the j shortest examples into k batches; a batch holding
    // sorted examples i..j-1 costs (j - i) · time of the longest + the overhead
    int batches = Math.max(1, Math.min(maxBatches, n));
    long[][] cost = new long[batches + 1][n + 1];
    int[][] cut = new int[batches + 1][n + 1];
    for (long[] row : cost) {
      Arrays.fill(row, Long.MAX_VALUE);
    }
    cost[0][0] = 0;
    for (int k = 1; k <= batches; k++) {
      for (int j = 1; j <= n; j++) {
        for (int i = k - 1; i < j; i++) {
          if (cost[k - 1][i] == Long.MAX_VALUE) {
            continue;
          }
          long c = cost[k - 1][i] + (j - i) * time[order[j - 1]] + BUCKET_OVERHEAD_TOKENS;
          if (c < cost[k][j]) {
            cost[k][j] = c;
            cut[k][j] = i;
          }
        }
      }
    }
    int best = 1;
    for (int k = 2; k <= batches; k++) {
      if (cost[k][n] < cost[best][n]) {
        best = k;
      }
    }
    List<int[]> rows = new ArrayList<>();
    for (int k = best, j = n; k > 0 && j > 0; j = cut[k][j], k--) {
      int i = cut[k][j];
      int[] members = new int[j - i];
      for (int m = i; m < j; m++) {
        members[m - i] = order[m];
      }
      rows.add(0, members);
    }
    List<Collated> collated = new ArrayList<>(rows.size());
    for (int[] members : rows) {
      List<Example> part = new ArrayList<>(members.length);
      for (int m : members) {
        part.add(examples.get(m));
      }
      collated.add(collate(part, contextLength, padId));
    }
    return new Buckets(List.copyOf(collated), List.copyOf(rows), n);
  }

  /**
   * The indices of {@code examples} from the shortest laid-out row to the longest (ties in list
   * order): batches cut from this order are padded little.
   */
  public static Integer[] byLength(List<Example> examples, int contextLength) {
    Integer[] order = new Integer[examples.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> time(examples.get(i), contextLength)));
    return order;
  }

  /** The positions {@link #collate} gives {@code example} (input length after the shift). */
  private static int time(Example example, int contextLength) {
    return Math.max(
        1, Math.min(contextLength, example.prompt().length + example.response().length) - 1);
  }

  /**
   * ℓ per example of {@code buckets}, {@code (size)} in the caller's order: each batch scored on
   * its own, the sums gathered back into place (differentiable when {@code training}).
   */
  public static NDArray sumLogProbs(
      CausalLanguageModel model, ParameterStore weights, Buckets buckets, boolean training) {
    return rowScores(model, weights, buckets, training, false).logProbs();
  }

  /**
   * Per-example sums of {@link #tokenScores} over the response of {@code buckets}, {@code (size)}
   * each in the caller's order: ℓ, and the summed entropy when {@code withEntropy} (else null).
   */
  public static TokenScores rowScores(
      CausalLanguageModel model,
      ParameterStore weights,
      Buckets buckets,
      boolean training,
      boolean withEntropy) {
    if (buckets.size() == 0) {
      NDArray empty = model.manager().create(new float[0]);
      return new TokenScores(empty, withEntropy ? empty : null);
    }
    NDList sums = new NDList();
    NDList entropies = new NDList();
    long[] position = new long[buckets.size()];
    int offset = 0;
    for (int k = 0; k < buckets.batches().size(); k++) {
      TokenScores scores =
          tokenScores(model, weights, buckets.batches().get(k), training, withEntropy);
      sums.add(scores.logProbs().sum(new int[] {1}));
      if (withEntropy) {
        entropies.add(scores.entropies().sum(new int[] {1}));
      }
      int[] members = buckets.rows().get(k);
      for (int j = 0; j < members.length; j++) {
        position[members[j]] = offset + j;
      }
      offset += members.length;
    }
    NDArray order = model.manager().create(position);
    return new TokenScores(
        inCallerOrder(sums, order), withEntropy ? inCallerOrder(entropies, order) : null);
  }

  private static NDArray inCallerOrder(NDList parts, NDArray order) {
    NDArray all = parts.size() == 1 ? parts.singletonOrThrow() : NDArrays.concat(parts);
    return all.gather(order, 0);
  }
}
