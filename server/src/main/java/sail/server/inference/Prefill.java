package sail.server.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import sail.server.model.CausalLanguageModel;
import sail.server.model.GptBlock;
import sail.server.model.GradMode;
import sail.server.model.KvCache;
import sail.server.model.Tokenizer;

/**
 * Joining sequences after their prompts went through the model in one padded batch and their first
 * tokens were sampled, waiting to take rows of a {@link DecodeBatch} ({@link DecodeBatch#join}).
 *
 * <p>Computing one touches no batch, so the serving engine runs it on its own thread while the
 * running batch keeps decoding; the result then passes to the engine thread, which owns it from
 * there on (it closes it when joining).
 */
public final class Prefill implements AutoCloseable {
  final List<DecodeSequence> sequences;
  final long modelVersion;

  /** Keys/values of the left-padded prompts: {@code (sequences, heads, prefillLength, hd)}. */
  final KvCache cache;

  /** Prompt tokens kept per sequence (cut to the context); each ends at the last column. */
  final int[] promptLengths;

  final long nanos;

  private Prefill(
      List<DecodeSequence> sequences,
      long modelVersion,
      KvCache cache,
      int[] promptLengths,
      long nanos) {
    this.sequences = sequences;
    this.modelVersion = modelVersion;
    this.cache = cache;
    this.promptLengths = promptLengths;
    this.nanos = nanos;
  }

  /**
   * Runs the prompts of {@code joining} as one left-padded batch and samples each sequence's first
   * token (streaming its text to the sequence's observer). A sequence may finish on that token; it
   * is completed when it joins.
   *
   * @param weights the version's parameters
   * @param modelVersion the version the sequences will be decoded by
   */
  public static Prefill run(
      CausalLanguageModel model,
      ParameterStore weights,
      long modelVersion,
      List<DecodeSequence> joining) {
    if (joining.isEmpty()) {
      throw new IllegalArgumentException("nothing to prefill");
    }
    long started = System.nanoTime();
    Tokenizer tokenizer = model.tokenizer();
    int context = model.contextLength();
    int count = joining.size();
    int[] lengths = new int[count];
    int prefillLength = 1;
    for (int i = 0; i < count; i++) {
      // keep the most recent tokens, leaving room for at least one generated token
      lengths[i] = Math.min(joining.get(i).prompt.length, context - 1);
      prefillLength = Math.max(prefillLength, lengths[i]);
    }

    // left-padded prompts, per-row positions and a causal + padding mask
    long[] tokens = new long[count * prefillLength];
    long[] positions = new long[count * prefillLength];
    float[] bias = new float[count * prefillLength * prefillLength];
    for (int i = 0; i < count; i++) {
      int[] prompt = joining.get(i).prompt;
      int pad = prefillLength - lengths[i];
      int cut = prompt.length - lengths[i];
      for (int t = 0; t < prefillLength; t++) {
        tokens[i * prefillLength + t] = t < pad ? tokenizer.padId() : prompt[cut + t - pad];
        positions[i * prefillLength + t] = Math.max(0, t - pad);
        for (int k = 0; k < prefillLength; k++) {
          boolean visible = k <= t && k >= pad;
          bias[(i * prefillLength + t) * prefillLength + k] = visible ? 0f : GptBlock.MASKED;
        }
      }
    }

    KvCache cache = KvCache.allocate(model.manager(), model.cacheLayout(), count, prefillLength);
    boolean grad = GradMode.disable();
    try (NDManager scratch = model.manager().newSubManager();
        NDScope ignored = new NDScope()) {
      NDArray logits =
          model.logitsWithCache(
              weights,
              scratch.create(tokens, new Shape(count, prefillLength)),
              scratch.create(positions, new Shape(count, prefillLength)),
              scratch.create(bias, new Shape(count, 1, prefillLength, prefillLength)),
              cache,
              0);
      float[] last = logits.get(new NDIndex(":, -1, :")).toFloatArray();

      // first token of each sequence
      int vocab = tokenizer.vocabSize();
      for (int i = 0; i < count; i++) {
        DecodeSequence sequence = joining.get(i);
        sequence.modelVersion = modelVersion;
        sequence.nextPosition = lengths[i];
        Sampler.Choice choice =
            Sampler.sample(
                last, i * vocab, vocab, sequence.params, tokenizer::isSampleable, sequence.random);
        sequence.pending = choice.token();
        sequence.accept(choice.token(), choice.logProb(), tokenizer.endOfTurnId(), context);
      }
    } catch (RuntimeException | Error e) {
      cache.close();
      throw e;
    } finally {
      GradMode.restore(grad);
    }
    return new Prefill(
        List.copyOf(joining), modelVersion, cache, lengths, System.nanoTime() - started);
  }

  /** The sequences, in the order they were given. */
  public List<DecodeSequence> sequences() {
    return sequences;
  }

  public long modelVersion() {
    return modelVersion;
  }

  /** Time the prefill took, in nanoseconds. */
  public long nanos() {
    return nanos;
  }

  /** Frees the prompts' keys and values (joining copies them first). */
  @Override
  public void close() {
    cache.close();
  }
}
