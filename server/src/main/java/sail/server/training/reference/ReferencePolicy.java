package sail.server.training.reference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import sail.server.model.CausalLanguageModel;
import sail.server.model.GradMode;
import sail.server.model.SequenceScorer;
import sail.server.model.WeightSnapshot;
import sail.server.training.ChatEncoding;
import sail.server.training.mixture.PreferencePair;

/**
 * π_ref: a frozen copy of the base (or of a configured version) and the reference log-probs ℓ_ref
 * the objective needs (sail-objective.md, section 1). Its weights are a {@link WeightSnapshot}, so
 * training the live parameters never touches them, and every forward pass here runs without
 * autograd, so no gradient can reach them.
 *
 * <p>Offline pairs are scored once and cached by {@link PreferencePair#id()}: summed log-probs and
 * summed next-token entropy (the trainer's entropy floor) of both replies and, when {@link
 * Settings#keepTokenLogProbs()} (needed by the reverse-KL term, section 7), the per-token values.
 * Fresh samples are scored with {@link #score} and not cached. The cache is valid for this
 * reference only; a new reference version starts a new instance.
 */
public final class ReferencePolicy implements AutoCloseable {
  /**
   * @param batchSize sequences per forward pass when scoring
   * @param keepTokenLogProbs also cache per-token log-probs of offline replies
   * @param entropy also compute the summed next-token entropy of each reply (the trainer's entropy
   *     floor); without it {@link Scored#entropy()} is NaN
   */
  public record Settings(int batchSize, boolean keepTokenLogProbs, boolean entropy) {
    public Settings {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
      }
    }

    /** Batches of 32, sums only. */
    public static Settings defaults() {
      return new Settings(32, false, false);
    }

    /** These settings with the entropy computed or not. */
    public Settings withEntropy(boolean entropy) {
      return new Settings(batchSize, keepTokenLogProbs, entropy);
    }
  }

  /**
   * Reference log-probs of one scored reply.
   *
   * @param sum ℓ_ref: the summed log-probability of the response tokens
   * @param tokens per-token log-probabilities in response order, or null when not kept
   * @param entropy the summed entropy (nats) of the next-token distributions at the response
   *     positions, which the trainer's entropy floor compares the policy's with; NaN when not
   *     computed
   */
  public record Scored(double sum, float[] tokens, double entropy) {}

  /** Reference log-probs of an offline pair. */
  public record PairScores(Scored chosen, Scored rejected) {}

  private final CausalLanguageModel model;
  private final WeightSnapshot weights;
  private final long version;
  private final Settings settings;
  private final Map<String, PairScores> cache = new ConcurrentHashMap<>();

  /**
   * A reference that reads {@code weights} (retained here, released by {@link #close()}).
   *
   * @param model the architecture the weights belong to
   * @param version the model version the weights are, for metrics and checkpoints
   */
  public ReferencePolicy(
      CausalLanguageModel model, WeightSnapshot weights, long version, Settings settings) {
    this.model = Objects.requireNonNull(model, "model");
    this.weights = weights.retain();
    this.version = version;
    this.settings = settings;
  }

  public long version() {
    return version;
  }

  /** Whether its scores carry the entropy ({@link Settings#entropy()}). */
  public boolean computesEntropy() {
    return settings.entropy();
  }

  /** The frozen snapshot (owned by this reference; do not release it). */
  public WeightSnapshot snapshot() {
    return weights;
  }

  /** The frozen parameters, for callers that run their own no-grad forward pass. */
  public ParameterStore weights() {
    return weights.parameterStore();
  }

  /** ℓ_ref of each example, batched, without autograd. */
  public double[] sumLogProbs(List<SequenceScorer.Example> examples) {
    return sumLogProbs(weights.parameterStore(), examples);
  }

  /**
   * ℓ of each example under other weights of the same model (a policy version), batched and summed
   * exactly as the reference's own, so that a version equal to the reference scores the same sums
   * to the last bit.
   */
  public double[] sumLogProbs(ParameterStore other, List<SequenceScorer.Example> examples) {
    List<Scored> scored = score(other, examples, false, false);
    double[] sums = new double[scored.size()];
    for (int i = 0; i < sums.length; i++) {
      sums[i] = scored.get(i).sum();
    }
    return sums;
  }

  /**
   * Summed reference log-probs of each example, batched, without autograd, with what the settings
   * ask for as well (per-token values, entropy), like the cached pairs'.
   */
  public List<Scored> score(List<SequenceScorer.Example> examples) {
    return score(
        weights.parameterStore(), examples, settings.keepTokenLogProbs(), settings.entropy());
  }

  /**
   * Reference log-probs of offline pairs, from the cache or — for the pairs not yet cached —
   * computed in batches and cached.
   *
   * @return one entry per pair, in order
   */
  public List<PairScores> pairs(List<PreferencePair> pairs) {
    List<PreferencePair> missing = new ArrayList<>();
    for (PreferencePair pair : pairs) {
      if (!cache.containsKey(pair.id()) && !missing.contains(pair)) {
        missing.add(pair);
      }
    }
    if (!missing.isEmpty()) {
      List<SequenceScorer.Example> examples = new ArrayList<>(2 * missing.size());
      for (PreferencePair pair : missing) {
        examples.add(ChatEncoding.chosen(model.tokenizer(), pair.prompt(), pair));
        examples.add(ChatEncoding.rejected(model.tokenizer(), pair.prompt(), pair));
      }
      List<Scored> scored = score(examples);
      for (int i = 0; i < missing.size(); i++) {
        cache.put(missing.get(i).id(), new PairScores(scored.get(2 * i), scored.get(2 * i + 1)));
      }
    }
    List<PairScores> result = new ArrayList<>(pairs.size());
    for (PreferencePair pair : pairs) {
      result.add(cache.get(pair.id()));
    }
    return result;
  }

  /** Scores and caches every pair up front (e.g. the whole offline dataset at start). */
  public void precompute(List<PreferencePair> pairs) {
    for (int start = 0; start < pairs.size(); start += settings.batchSize()) {
      pairs(pairs.subList(start, Math.min(pairs.size(), start + settings.batchSize())));
    }
  }

  /** The cached scores of a pair, or null. */
  public PairScores cached(String pairId) {
    return cache.get(pairId);
  }

  public int cachedPairs() {
    return cache.size();
  }

  /**
   * Lays per-token reference log-probs out like the policy's per-token output on {@code batch}: row
   * b's values at the positions where {@code batch.mask()} is 1, zero elsewhere.
   *
   * @param perRow one array per row, of length {@code batch.responseTokens()[b]}
   * @return {@code (batch, time)} float32 on {@code manager}, no gradient
   */
  public static NDArray tokenArray(
      NDManager manager, SequenceScorer.Collated batch, List<float[]> perRow) {
    float[] values = new float[batch.batch() * batch.time()];
    for (int b = 0; b < batch.batch(); b++) {
      float[] row = perRow.get(b);
      if (row.length != batch.responseTokens()[b]) {
        throw new IllegalArgumentException(
            "row "
                + b
                + " has "
                + row.length
                + " reference log-probs for "
                + batch.responseTokens()[b]
                + " response tokens");
      }
      int next = 0;
      for (int t = 0; t < batch.time(); t++) {
        if (batch.mask()[b * batch.time() + t] != 0) {
          values[b * batch.time() + t] = row[next++];
        }
      }
    }
    return manager.create(values, new Shape(batch.batch(), batch.time()));
  }

  @Override
  public void close() {
    weights.release();
  }

  /**
   * Scores {@code examples} in batches of {@link Settings#batchSize()} taken in order of length, so
   * that each batch is padded little (a batch is padded to its longest row). The batches depend on
   * the examples only, so two weight sets scored on the same list see the same batches.
   */
  private List<Scored> score(
      ParameterStore store,
      List<SequenceScorer.Example> examples,
      boolean keepTokens,
      boolean withEntropy) {
    Integer[] order = SequenceScorer.byLength(examples, model.contextLength());
    Scored[] result = new Scored[examples.size()];
    boolean grad = GradMode.disable();
    try {
      for (int start = 0; start < order.length; start += settings.batchSize()) {
        int end = Math.min(order.length, start + settings.batchSize());
        List<SequenceScorer.Example> chunk = new ArrayList<>(end - start);
        for (int k = start; k < end; k++) {
          chunk.add(examples.get(order[k]));
        }
        SequenceScorer.Collated batch =
            SequenceScorer.collate(chunk, model.contextLength(), model.tokenizer().padId());
        float[] tokenLogProbs;
        float[] entropies = null;
        try (NDScope ignored = new NDScope()) {
          SequenceScorer.TokenScores scores =
              SequenceScorer.tokenScores(model, store, batch, false, withEntropy);
          tokenLogProbs = scores.logProbs().toFloatArray();
          if (withEntropy) {
            entropies = scores.entropies().sum(new int[] {1}).toFloatArray();
          }
        }
        for (int b = 0; b < batch.batch(); b++) {
          double entropy = entropies == null ? Double.NaN : entropies[b];
          result[order[start + b]] = row(batch, tokenLogProbs, b, keepTokens, entropy);
        }
      }
    } finally {
      GradMode.restore(grad);
    }
    return List.of(result);
  }

  /** Row b's response-token values in order, summed in double precision. */
  private static Scored row(
      SequenceScorer.Collated batch,
      float[] tokenLogProbs,
      int b,
      boolean keepTokens,
      double entropy) {
    float[] tokens = new float[batch.responseTokens()[b]];
    double sum = 0;
    int next = 0;
    for (int t = 0; t < batch.time(); t++) {
      int index = b * batch.time() + t;
      if (batch.mask()[index] != 0) {
        tokens[next++] = tokenLogProbs[index];
        sum += tokenLogProbs[index];
      }
    }
    return new Scored(sum, keepTokens ? tokens : null, entropy);
  }
}
