package sail.server.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import sail.server.model.CausalLanguageModel;
import sail.server.model.GptBlock;
import sail.server.model.GradMode;
import sail.server.model.KvCache;
import sail.server.model.Tokenizer;

/**
 * Joining sequences after their prompts went through the model in one padded batch, waiting to
 * sample their first tokens ({@link #sampleFirstTokens}) and then to take rows of a {@link
 * DecodeBatch} ({@link DecodeBatch#join}).
 *
 * <p>Computing one touches no batch, so the serving engine runs it on its own thread while the
 * running batch keeps decoding, and may run it ahead for a request still waiting for a slot; the
 * result then passes to the engine thread, which owns it from there on (it closes it when joining).
 */
public final class Prefill implements AutoCloseable {
  final List<DecodeSequence> sequences;
  final long modelVersion;

  /** Keys/values of the left-padded prompts: {@code (sequences, heads, prefillLength, hd)}. */
  final KvCache cache;

  /** Prompt tokens kept per sequence (cut to the context); each ends at the last column. */
  final int[] promptLengths;

  final long nanos;

  /** Logits after each prompt's last token, row-major {@code (sequences, vocab)}. */
  private final float[] lastLogits;

  /** Distinct prompts that went through the model (sequences with equal prompts share one). */
  final int promptsComputed;

  private final CausalLanguageModel model;
  private boolean sampled;

  private Prefill(
      CausalLanguageModel model,
      List<DecodeSequence> sequences,
      long modelVersion,
      KvCache cache,
      int[] promptLengths,
      float[] lastLogits,
      int promptsComputed,
      long nanos) {
    this.model = model;
    this.promptsComputed = promptsComputed;
    this.sequences = sequences;
    this.modelVersion = modelVersion;
    this.cache = cache;
    this.promptLengths = promptLengths;
    this.lastLogits = lastLogits;
    this.nanos = nanos;
  }

  /**
   * Runs the prompts of {@code joining} as one left-padded batch; the first tokens are sampled
   * later, by {@link #sampleFirstTokens}. Sequences with the same prompt (several candidates of one
   * request, a rollout's replies to one prompt) share one row of the batch: the prompt goes through
   * the model once and its keys, values and last logits are copied to each of them.
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
    // the batch row that computes each sequence's prompt, and the first sequence of each row
    int[] rowOf = new int[count];
    List<Integer> firstOfRow = new ArrayList<>();
    Map<IntBuffer, Integer> rowOfPrompt = new HashMap<>();
    for (int i = 0; i < count; i++) {
      // keep the most recent tokens, leaving room for at least one generated token
      int[] prompt = joining.get(i).prompt;
      lengths[i] = Math.min(prompt.length, context - 1);
      prefillLength = Math.max(prefillLength, lengths[i]);
      IntBuffer kept = IntBuffer.wrap(prompt, prompt.length - lengths[i], lengths[i]);
      Integer row = rowOfPrompt.putIfAbsent(kept, firstOfRow.size());
      if (row == null) {
        rowOf[i] = firstOfRow.size();
        firstOfRow.add(i);
      } else {
        rowOf[i] = row;
      }
    }
    int rows = firstOfRow.size();

    // left-padded prompts, per-row positions and a causal + padding mask
    long[] tokens = new long[rows * prefillLength];
    long[] positions = new long[rows * prefillLength];
    float[] bias = new float[rows * prefillLength * prefillLength];
    for (int i = 0; i < rows; i++) {
      int first = firstOfRow.get(i);
      int[] prompt = joining.get(first).prompt;
      int pad = prefillLength - lengths[first];
      int cut = prompt.length - lengths[first];
      for (int t = 0; t < prefillLength; t++) {
        tokens[i * prefillLength + t] = t < pad ? tokenizer.padId() : prompt[cut + t - pad];
        positions[i * prefillLength + t] = Math.max(0, t - pad);
        for (int k = 0; k < prefillLength; k++) {
          boolean visible = k <= t && k >= pad;
          bias[(i * prefillLength + t) * prefillLength + k] = visible ? 0f : GptBlock.MASKED;
        }
      }
    }

    KvCache computed = KvCache.allocate(model.manager(), model.cacheLayout(), rows, prefillLength);
    KvCache cache = computed;
    boolean grad = GradMode.disable();
    try (NDManager scratch = model.manager().newSubManager();
        NDScope ignored = new NDScope()) {
      NDArray logits =
          model.logitsWithCache(
              weights,
              scratch.create(tokens, new Shape(rows, prefillLength)),
              scratch.create(positions, new Shape(rows, prefillLength)),
              scratch.create(bias, new Shape(rows, 1, prefillLength, prefillLength)),
              computed,
              0);
      float[] computedLast = logits.get(new NDIndex(":, -1, :")).toFloatArray();
      float[] last = computedLast;
      if (rows < count) {
        cache = KvCache.allocate(model.manager(), model.cacheLayout(), count, prefillLength);
        cache.fillRows(computed, rowOf);
        computed.close();
        int vocab = computedLast.length / rows;
        last = new float[count * vocab];
        for (int i = 0; i < count; i++) {
          System.arraycopy(computedLast, rowOf[i] * vocab, last, i * vocab, vocab);
        }
      }
      for (int i = 0; i < count; i++) {
        joining.get(i).nextPosition = lengths[i];
      }
      return new Prefill(
          model,
          List.copyOf(joining),
          modelVersion,
          cache,
          lengths,
          last,
          rows,
          System.nanoTime() - started);
    } catch (RuntimeException | Error e) {
      if (cache != computed) {
        cache.close();
      }
      computed.close();
      throw e;
    } finally {
      GradMode.restore(grad);
    }
  }

  /**
   * Samples each sequence's first token from its prompt's last logits, streaming its text to the
   * sequence's observer, and records the version in each sequence. A sequence may finish on that
   * token; it is completed when it joins. Idempotent.
   */
  public void sampleFirstTokens() {
    if (sampled) {
      return;
    }
    sampled = true;
    Tokenizer tokenizer = model.tokenizer();
    int vocab = tokenizer.vocabSize();
    for (int i = 0; i < sequences.size(); i++) {
      DecodeSequence sequence = sequences.get(i);
      sequence.modelVersion = modelVersion;
      Sampler.Choice choice =
          Sampler.sample(
              lastLogits,
              i * vocab,
              vocab,
              sequence.params,
              tokenizer::isSampleable,
              sequence.random);
      sequence.pending = choice.token();
      sequence.accept(
          choice.token(), choice.logProb(), tokenizer.endOfTurnId(), model.contextLength());
    }
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
