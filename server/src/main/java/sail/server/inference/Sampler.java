package sail.server.inference;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from one row of logits. Pure: the caller supplies the logits, the parameters
 * and the sequence's own random source.
 *
 * <p>Order of filters: disallowed ids removed, then temperature (0 = argmax), top-k, top-p
 * (nucleus), then a categorical draw. The returned log-probability is that of the chosen token
 * under the model's unfiltered distribution (what scoring computes), not the sampling distribution.
 */
public final class Sampler {
  private Sampler() {}

  /** The chosen token and its log-probability under the model. */
  public record Choice(int token, float logProb) {}

  /** Which ids may be emitted. */
  @FunctionalInterface
  public interface Allowed {
    boolean test(int id);
  }

  /**
   * @param logits row-major logits; this row is {@code [offset, offset + vocab)}
   */
  public static Choice sample(
      float[] logits,
      int offset,
      int vocab,
      SamplingParams params,
      Allowed allowed,
      RandomGenerator random) {
    // log-softmax of the raw row, for the reported log-probability
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      sum += Math.exp(logits[offset + i] - max);
    }
    double logNormalizer = max + Math.log(sum);

    int token =
        params.temperature() == 0
            ? argmax(logits, offset, vocab, allowed)
            : draw(logits, offset, vocab, params, allowed, random);
    return new Choice(token, (float) (logits[offset + token] - logNormalizer));
  }

  static int argmax(float[] logits, int offset, int vocab, Allowed allowed) {
    int best = -1;
    float bestValue = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      if (allowed.test(i) && (best < 0 || logits[offset + i] > bestValue)) {
        best = i;
        bestValue = logits[offset + i];
      }
    }
    if (best < 0) {
      throw new IllegalStateException("no token is allowed");
    }
    return best;
  }

  /** Plain temperature sampling: no sort needed. */
  private static int drawUnfiltered(
      float[] logits,
      int offset,
      int vocab,
      double temperature,
      Allowed allowed,
      RandomGenerator random) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      if (allowed.test(i)) {
        max = Math.max(max, logits[offset + i] / temperature);
      }
    }
    double[] weights = new double[vocab];
    double total = 0;
    for (int i = 0; i < vocab; i++) {
      if (allowed.test(i)) {
        weights[i] = Math.exp(logits[offset + i] / temperature - max);
        total += weights[i];
      }
    }
    double u = random.nextDouble() * total;
    int last = -1;
    for (int i = 0; i < vocab; i++) {
      if (weights[i] > 0) {
        last = i;
        u -= weights[i];
        if (u < 0) {
          return i;
        }
      }
    }
    if (last < 0) {
      throw new IllegalStateException("no token is allowed");
    }
    return last;
  }

  private static int draw(
      float[] logits,
      int offset,
      int vocab,
      SamplingParams params,
      Allowed allowed,
      RandomGenerator random) {
    if (params.topK() == 0 && params.topP() >= 1) {
      return drawUnfiltered(logits, offset, vocab, params.temperature(), allowed, random);
    }
    // candidates sorted by logit, descending (ties by id, for determinism)
    Integer[] order = new Integer[vocab];
    int count = 0;
    for (int i = 0; i < vocab; i++) {
      if (allowed.test(i)) {
        order[count++] = i;
      }
    }
    if (count == 0) {
      throw new IllegalStateException("no token is allowed");
    }
    Integer[] candidates = Arrays.copyOf(order, count);
    Arrays.sort(
        candidates,
        (a, b) -> {
          int byLogit = Float.compare(logits[offset + b], logits[offset + a]);
          return byLogit != 0 ? byLogit : Integer.compare(a, b);
        });

    // temperature, then top-k
    int kept = params.topK() > 0 ? Math.min(params.topK(), count) : count;
    double[] probs = new double[kept];
    double top = logits[offset + candidates[0]] / params.temperature();
    double total = 0;
    for (int i = 0; i < kept; i++) {
      probs[i] = Math.exp(logits[offset + candidates[i]] / params.temperature() - top);
      total += probs[i];
    }

    // top-p: smallest prefix whose mass reaches p
    if (params.topP() < 1) {
      double cumulative = 0;
      int nucleus = kept;
      for (int i = 0; i < kept; i++) {
        cumulative += probs[i] / total;
        if (cumulative >= params.topP()) {
          nucleus = i + 1;
          break;
        }
      }
      kept = nucleus;
      total = 0;
      for (int i = 0; i < kept; i++) {
        total += probs[i];
      }
    }

    // categorical draw
    double u = random.nextDouble() * total;
    for (int i = 0; i < kept; i++) {
      u -= probs[i];
      if (u < 0) {
        return candidates[i];
      }
    }
    return candidates[kept - 1];
  }
}
