package sail.server.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import sail.server.model.CausalLanguageModel;
import sail.server.model.GptBlock;
import sail.server.model.GradMode;
import sail.server.model.KvCache;
import sail.server.model.Tokenizer;

/**
 * Sequences decoded together against one weight version, sharing one KV cache — the unit of
 * continuous batching: sequences {@link #admit join} and leave between steps.
 *
 * <p>Cache layout: all rows share a time axis of {@code length} used columns and are written at the
 * same column each step. A row that joined later sits right-aligned with {@code padLeft} masked
 * columns before its first token. Joining, leaving and growing re-assemble the cache (one copy); a
 * decode step writes one column in place.
 *
 * <p>Single-threaded: only the engine thread calls it. It switches autograd off while it runs.
 */
public final class DecodeBatch implements AutoCloseable {
  private final CausalLanguageModel model;
  private final ParameterStore weights;
  private final long modelVersion;
  private final Tokenizer tokenizer;
  private final NDManager manager;
  private final List<DecodeSequence> rows = new ArrayList<>();
  private KvCache cache;
  private int length;

  /**
   * @param model the network
   * @param weights the version's parameters
   * @param modelVersion recorded in every result
   */
  public DecodeBatch(CausalLanguageModel model, ParameterStore weights, long modelVersion) {
    this.model = model;
    this.weights = weights;
    this.modelVersion = modelVersion;
    this.tokenizer = model.tokenizer();
    this.manager = model.manager().newSubManager();
  }

  public long modelVersion() {
    return modelVersion;
  }

  public int size() {
    return rows.size();
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /** Sequences currently in the batch (read-only view). */
  public List<DecodeSequence> sequences() {
    return java.util.Collections.unmodifiableList(rows);
  }

  /**
   * Prefills the joining sequences as one padded batch, samples their first tokens and adds them to
   * the running batch. Sequences that finish on their first token are completed at once.
   *
   * @return the joining sequences that already finished
   */
  public List<DecodeSequence> admit(List<DecodeSequence> joining) {
    if (joining.isEmpty()) {
      return List.of();
    }
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      int context = model.contextLength();
      int count = joining.size();
      int[][] prompts = new int[count][];
      int prefillLength = 1;
      for (int i = 0; i < count; i++) {
        int[] prompt = joining.get(i).prompt;
        // keep the most recent tokens, leaving room for at least one generated token
        int keep = Math.min(prompt.length, context - 1);
        prompts[i] = java.util.Arrays.copyOfRange(prompt, prompt.length - keep, prompt.length);
        prefillLength = Math.max(prefillLength, keep);
      }

      // left-padded prompts, per-row positions and a causal + padding mask
      long[] tokens = new long[count * prefillLength];
      long[] positions = new long[count * prefillLength];
      float[] bias = new float[count * prefillLength * prefillLength];
      for (int i = 0; i < count; i++) {
        int pad = prefillLength - prompts[i].length;
        for (int t = 0; t < prefillLength; t++) {
          tokens[i * prefillLength + t] = t < pad ? tokenizer.padId() : prompts[i][t - pad];
          positions[i * prefillLength + t] = Math.max(0, t - pad);
          for (int k = 0; k < prefillLength; k++) {
            boolean visible = k <= t && k >= pad;
            bias[(i * prefillLength + t) * prefillLength + k] = visible ? 0f : GptBlock.MASKED;
          }
        }
      }
      KvCache prefillCache = KvCache.allocate(manager, model.cacheLayout(), count, prefillLength);
      float[] lastLogits;
      try {
        NDArray logits =
            model.logitsWithCache(
                weights,
                manager.create(tokens, new Shape(count, prefillLength)),
                manager.create(positions, new Shape(count, prefillLength)),
                manager.create(bias, new Shape(count, 1, prefillLength, prefillLength)),
                prefillCache,
                0);
        lastLogits = logits.get(new NDIndex(":, -1, :")).toFloatArray();

        // merge: right-align old rows and new rows on a shared time axis
        int newLength = Math.max(length, prefillLength);
        List<KvCache.Part> parts = new ArrayList<>();
        if (cache != null) {
          parts.add(new KvCache.Part(cache, allRows(rows.size()), 0, length, newLength - length));
          for (DecodeSequence row : rows) {
            row.padLeft += newLength - length;
          }
        }
        parts.add(
            new KvCache.Part(
                prefillCache, allRows(count), 0, prefillLength, newLength - prefillLength));
        KvCache merged =
            KvCache.assemble(manager, model.cacheLayout(), capacityFor(newLength), parts);
        if (cache != null) {
          cache.close();
        }
        cache = merged;
        length = newLength;
      } finally {
        prefillCache.close();
      }

      // first token of each joining sequence
      List<DecodeSequence> finished = new ArrayList<>();
      int vocab = tokenizer.vocabSize();
      for (int i = 0; i < count; i++) {
        DecodeSequence sequence = joining.get(i);
        sequence.modelVersion = modelVersion;
        sequence.padLeft = newPad(i, prompts, prefillLength);
        sequence.nextPosition = prompts[i].length;
        rows.add(sequence);
        Sampler.Choice choice =
            Sampler.sample(
                lastLogits,
                i * vocab,
                vocab,
                sequence.params,
                tokenizer::isSampleable,
                sequence.random);
        sequence.pending = choice.token();
        if (sequence.accept(choice.token(), choice.logProb(), tokenizer.endOfTurnId(), context)) {
          finished.add(sequence);
        }
      }
      removeAndComplete(finished);
      return finished;
    } finally {
      GradMode.restore(grad);
    }
  }

  private int newPad(int i, int[][] prompts, int prefillLength) {
    return (length - prefillLength) + (prefillLength - prompts[i].length);
  }

  /**
   * Drops sequences whose caller cancelled; their slots are free for the next admission.
   *
   * @return the cancelled sequences (already completed with {@link FinishReason#CANCELLED})
   */
  public List<DecodeSequence> removeCancelled() {
    List<DecodeSequence> cancelled = new ArrayList<>();
    for (DecodeSequence row : rows) {
      if (row.cancelRequested) {
        cancelled.add(row);
      }
    }
    if (!cancelled.isEmpty()) {
      remove(cancelled);
      for (DecodeSequence row : cancelled) {
        row.complete(FinishReason.CANCELLED);
      }
    }
    return cancelled;
  }

  /**
   * Feeds every row's pending token, samples the next one and removes the rows that finished.
   *
   * @return sequences that finished in this step (already completed)
   */
  public List<DecodeSequence> step() {
    removeCancelled();
    if (rows.isEmpty()) {
      return List.of();
    }
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      ensureCapacity(length + 1);
      int count = rows.size();
      int span = length + 1;
      long[] tokens = new long[count];
      long[] positions = new long[count];
      float[] bias = new float[count * span];
      for (int i = 0; i < count; i++) {
        DecodeSequence row = rows.get(i);
        tokens[i] = row.pending;
        positions[i] = row.nextPosition;
        for (int k = 0; k < row.padLeft; k++) {
          bias[i * span + k] = GptBlock.MASKED;
        }
      }
      NDArray logits =
          model.logitsWithCache(
              weights,
              manager.create(tokens, new Shape(count, 1)),
              manager.create(positions, new Shape(count, 1)),
              manager.create(bias, new Shape(count, 1, 1, span)),
              cache,
              length);
      float[] values = logits.toFloatArray();
      length++;

      int vocab = tokenizer.vocabSize();
      List<DecodeSequence> finished = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        DecodeSequence row = rows.get(i);
        row.nextPosition++;
        Sampler.Choice choice =
            Sampler.sample(
                values, i * vocab, vocab, row.params, tokenizer::isSampleable, row.random);
        row.pending = choice.token();
        if (row.accept(
            choice.token(), choice.logProb(), tokenizer.endOfTurnId(), model.contextLength())) {
          finished.add(row);
        }
      }
      removeAndComplete(finished);
      return finished;
    } finally {
      GradMode.restore(grad);
    }
  }

  private void removeAndComplete(List<DecodeSequence> finished) {
    if (finished.isEmpty()) {
      return;
    }
    remove(finished);
    for (DecodeSequence row : finished) {
      row.complete(row.finishReason);
    }
  }

  /** Removes rows and drops the leading columns that are padding for every remaining row. */
  private void remove(List<DecodeSequence> leaving) {
    List<DecodeSequence> remaining = new ArrayList<>(rows);
    remaining.removeAll(leaving);
    if (remaining.isEmpty()) {
      rows.clear();
      closeCache();
      return;
    }
    int[] keep = new int[remaining.size()];
    int trim = Integer.MAX_VALUE;
    for (int i = 0; i < keep.length; i++) {
      keep[i] = rows.indexOf(remaining.get(i));
      trim = Math.min(trim, remaining.get(i).padLeft);
    }
    reassemble(keep, trim, capacityFor(length - trim));
    rows.clear();
    rows.addAll(remaining);
  }

  private void ensureCapacity(int needed) {
    if (needed <= cache.capacity()) {
      return;
    }
    int trim = rows.stream().mapToInt(r -> r.padLeft).min().orElse(0);
    reassemble(allRows(rows.size()), trim, capacityFor(Math.max(needed - trim, length - trim)));
  }

  private void reassemble(int[] keep, int trim, int capacity) {
    try (NDScope ignored = new NDScope()) {
      KvCache next =
          KvCache.assemble(
              manager,
              model.cacheLayout(),
              capacity,
              List.of(new KvCache.Part(cache, keep, trim, length, 0)));
      cache.close();
      cache = next;
    }
    for (DecodeSequence row : rows) {
      row.padLeft -= trim;
    }
    length -= trim;
  }

  /** Room for the current columns plus a margin, so growth re-assembles rarely. */
  private int capacityFor(int columns) {
    return Math.max(32, ((columns + 64) / 32) * 32);
  }

  private static int[] allRows(int n) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    return rows;
  }

  private void closeCache() {
    if (cache != null) {
      cache.close();
      cache = null;
    }
    length = 0;
  }

  /** Completes every remaining sequence as cancelled and frees the cache. */
  @Override
  public void close() {
    for (DecodeSequence row : rows) {
      row.complete(FinishReason.CANCELLED);
    }
    rows.clear();
    closeCache();
    manager.close();
  }
}
