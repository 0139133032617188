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

  /** Rows that finished but still occupy a row of the cache (see the class comment). */
  private int finishedRows;

  /** Rows the last admission placed its sequences into, or null when it re-assembled. */
  private int[] placedRows;

  private long stepNanos;
  private long stepTokens;
  private long admitNanos;

  /** Time spent in decode steps (feeding one token per row), in nanoseconds. */
  public long stepNanos() {
    return stepNanos;
  }

  /** Tokens sampled by decode steps (excludes each sequence's first token, sampled at prefill). */
  public long stepTokens() {
    return stepTokens;
  }

  /** Time spent admitting sequences (prefill and cache placement), in nanoseconds. */
  public long admitNanos() {
    return admitNanos;
  }

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

  /** Sequences still being decoded. */
  public int size() {
    return rows.size() - finishedRows;
  }

  public boolean isEmpty() {
    return size() == 0;
  }

  /** Sequences still being decoded, in row order. */
  public List<DecodeSequence> sequences() {
    return rows.stream().filter(row -> !row.isFinished()).toList();
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
    long started = System.nanoTime();
    try {
      return admitTimed(joining);
    } finally {
      admitNanos += System.nanoTime() - started;
    }
  }

  private List<DecodeSequence> admitTimed(List<DecodeSequence> joining) {
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

        // in place: each joiner takes a finished row, its keys/values right-aligned at the end of
        // the shared time axis; the stale columns before it are masked by its padding
        List<Integer> free = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
          if (rows.get(r).isFinished()) {
            free.add(r);
          }
        }
        placedRows = null;
        if (cache != null
            && !sequences().isEmpty()
            && free.size() >= count
            && prefillLength <= length) {
          placedRows = new int[count];
          for (int i = 0; i < count; i++) {
            int row = free.get(i);
            int p = prompts[i].length;
            cache.copyRow(prefillCache, i, prefillLength - p, prefillLength, row, length - p);
            placedRows[i] = row;
          }
        } else {
          // merge (when the joiners cannot take finished rows in place): right-align the running
          // rows (finished ones dropped, shared padding trimmed)
          // and the new rows on a shared time axis
          List<DecodeSequence> running = sequences();
          int trim = running.stream().mapToInt(r -> r.padLeft).min().orElse(length);
          int oldLength = running.isEmpty() ? 0 : length - trim;
          int newLength = Math.max(oldLength, prefillLength);
          List<KvCache.Part> parts = new ArrayList<>();
          if (!running.isEmpty()) {
            parts.add(
                new KvCache.Part(cache, rowIndices(running), trim, length, newLength - oldLength));
            for (DecodeSequence row : running) {
              row.padLeft += newLength - oldLength - trim;
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
          rows.clear();
          rows.addAll(running);
          finishedRows = 0;
        }
      } finally {
        prefillCache.close();
      }

      // first token of each joining sequence
      List<DecodeSequence> finished = new ArrayList<>();
      int vocab = tokenizer.vocabSize();
      for (int i = 0; i < count; i++) {
        DecodeSequence sequence = joining.get(i);
        sequence.modelVersion = modelVersion;
        // right-aligned on the shared time axis, whichever way it was placed
        sequence.padLeft = length - prompts[i].length;
        sequence.nextPosition = prompts[i].length;
        if (placedRows != null) {
          rows.set(placedRows[i], sequence);
          finishedRows--;
        } else {
          rows.add(sequence);
        }
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

  /**
   * Drops sequences whose caller cancelled; their slots are free for the next admission.
   *
   * @return the cancelled sequences (already completed with {@link FinishReason#CANCELLED})
   */
  public List<DecodeSequence> removeCancelled() {
    List<DecodeSequence> cancelled = new ArrayList<>();
    for (DecodeSequence row : rows) {
      if (row.cancelRequested && !row.isFinished()) {
        cancelled.add(row);
      }
    }
    for (DecodeSequence row : cancelled) {
      row.complete(FinishReason.CANCELLED);
    }
    retire(cancelled.size());
    return cancelled;
  }

  /**
   * Feeds every row's pending token, samples the next one and removes the rows that finished.
   *
   * @return sequences that finished in this step (already completed)
   */
  public List<DecodeSequence> step() {
    long started = System.nanoTime();
    int live = size();
    try {
      return stepTimed();
    } finally {
      stepNanos += System.nanoTime() - started;
      stepTokens += live;
    }
  }

  private List<DecodeSequence> stepTimed() {
    removeCancelled();
    if (isEmpty()) {
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
        boolean done = row.isFinished();
        // a finished row keeps its place until compaction; it is fed padding and ignored
        tokens[i] = done ? tokenizer.padId() : row.pending;
        positions[i] = done ? 0 : row.nextPosition;
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
        if (row.isFinished()) {
          continue;
        }
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
    for (DecodeSequence row : finished) {
      row.complete(row.finishReason);
    }
    retire(finished.size());
  }

  /**
   * Counts newly finished rows; frees the cache when none runs, and compacts it once a quarter of
   * its rows are finished.
   */
  private void retire(int newlyFinished) {
    if (newlyFinished == 0) {
      return;
    }
    finishedRows += newlyFinished;
    if (isEmpty()) {
      rows.clear();
      finishedRows = 0;
      closeCache();
    } else if (finishedRows * 4 >= rows.size()) {
      compact(length);
    }
  }

  private void ensureCapacity(int needed) {
    if (needed > cache.capacity()) {
      compact(needed);
    }
  }

  /**
   * Copies the running rows into a fresh cache without the finished rows and without the leading
   * columns that are padding for every running row, with room for {@code needed} columns.
   */
  private void compact(int needed) {
    List<DecodeSequence> running = sequences();
    int trim = running.stream().mapToInt(r -> r.padLeft).min().orElse(0);
    try (NDScope ignored = new NDScope()) {
      KvCache next =
          KvCache.assemble(
              manager,
              model.cacheLayout(),
              capacityFor(Math.max(needed, length) - trim),
              List.of(new KvCache.Part(cache, rowIndices(running), trim, length, 0)));
      cache.close();
      cache = next;
    }
    for (DecodeSequence row : running) {
      row.padLeft -= trim;
    }
    length -= trim;
    rows.clear();
    rows.addAll(running);
    finishedRows = 0;
  }

  private int[] rowIndices(List<DecodeSequence> subset) {
    int[] indices = new int[subset.size()];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = rows.indexOf(subset.get(i));
    }
    return indices;
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
    finishedRows = 0;
    if (cache != null) {
      cache.close();
      cache = null;
    }
    length = 0;
  }

  /** Completes every remaining sequence as cancelled and frees the cache. */
  @Override
  public void close() {
    for (DecodeSequence row : sequences()) {
      row.complete(FinishReason.CANCELLED);
    }
    rows.clear();
    closeCache();
    manager.close();
  }
}
