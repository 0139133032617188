package sail.server.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Cache layout: one cache of {@code maxRows} rows and twice the context in columns, allocated
 * once. The sequences being decoded occupy rows {@code [0, size())}; all of them are written at the
 * same column {@link #length} each step. A sequence sits right-aligned: its prompt ends at the
 * column {@code length} had when it joined, and the {@code padLeft} columns before its first token
 * are masked. Nothing ever re-assembles the cache:
 *
 * <ul>
 *   <li>a joining sequence's prefill writes its keys and values straight into the next free row;
 *   <li>a leaving sequence's row is taken by the last row (one row copied), so the rows in use stay
 *       contiguous and a step runs over exactly the sequences being decoded;
 *   <li>a step attends over the columns from the oldest sequence's first token only, so stale
 *       columns cost nothing;
 *   <li>when {@code length} reaches the end of the cache, the used columns move back by one context
 *       (at most once every context-length steps).
 * </ul>
 *
 * <p>{@code length} never drops below the context length, so any prompt fits before it.
 *
 * <p>Single-threaded: only the engine thread calls it. It switches autograd off while it runs.
 */
public final class DecodeBatch implements AutoCloseable {
  private final CausalLanguageModel model;
  private final ParameterStore weights;
  private final long modelVersion;
  private final Tokenizer tokenizer;
  private final NDManager manager;
  private final int maxRows;
  private final int context;

  /** Sequences being decoded; index = cache row. */
  private final List<DecodeSequence> rows = new ArrayList<>();

  /** Allocated at the first admission, kept until {@link #close()}. */
  private KvCache cache;

  /** Column the next decode step writes. */
  private int length;

  private long stepNanos;
  private long stepTokens;
  private long admitNanos;

  /**
   * @param model the network
   * @param weights the version's parameters
   * @param modelVersion recorded in every result
   * @param maxRows most sequences decoded at once (the cache's rows)
   */
  public DecodeBatch(
      CausalLanguageModel model, ParameterStore weights, long modelVersion, int maxRows) {
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
    }
    this.model = model;
    this.weights = weights;
    this.modelVersion = modelVersion;
    this.tokenizer = model.tokenizer();
    this.manager = model.manager().newSubManager();
    this.maxRows = maxRows;
    this.context = model.contextLength();
    this.length = context;
  }

  /** Time spent in decode steps (feeding one token per row), in nanoseconds. */
  public long stepNanos() {
    return stepNanos;
  }

  /** Tokens sampled by decode steps (excludes each sequence's first token, sampled at prefill). */
  public long stepTokens() {
    return stepTokens;
  }

  /** Time spent admitting sequences (prefill into free rows), in nanoseconds. */
  public long admitNanos() {
    return admitNanos;
  }

  public long modelVersion() {
    return modelVersion;
  }

  /** Sequences still being decoded. */
  public int size() {
    return rows.size();
  }

  /** Rows not taken by a sequence. */
  public int freeRows() {
    return maxRows - rows.size();
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /** Sequences still being decoded, in row order. */
  public List<DecodeSequence> sequences() {
    return List.copyOf(rows);
  }

  /**
   * Prefills the joining sequences as one padded batch, samples their first tokens and adds them to
   * the running batch ({@link Prefill#run} then {@link #join}, on the calling thread).
   *
   * @param joining at most {@link #freeRows()} sequences
   * @return the joining sequences that already finished (completed)
   */
  public List<DecodeSequence> admit(List<DecodeSequence> joining) {
    if (joining.isEmpty()) {
      return List.of();
    }
    if (joining.size() > freeRows()) {
      throw new IllegalStateException(
          joining.size() + " sequences cannot join: " + freeRows() + " rows are free");
    }
    long started = System.nanoTime();
    try {
      Prefill prefill = Prefill.run(model, weights, modelVersion, joining);
      prefill.sampleFirstTokens();
      return join(prefill);
    } finally {
      admitNanos += System.nanoTime() - started;
    }
  }

  /**
   * Adds prefilled sequences to the running batch: their keys/values are copied into the next free
   * rows, their prompts ending at the current column; sequences that finished on their first token
   * are completed instead. Closes {@code prefill}.
   *
   * @return the sequences that had already finished (completed)
   */
  public List<DecodeSequence> join(Prefill prefill) {
    try (prefill) {
      prefill.sampleFirstTokens();
      if (prefill.modelVersion != modelVersion) {
        throw new IllegalArgumentException(
            "a prefill for version "
                + prefill.modelVersion
                + " cannot join the batch of version "
                + modelVersion);
      }
      List<DecodeSequence> finished = new ArrayList<>();
      List<DecodeSequence> joining = new ArrayList<>();
      for (DecodeSequence sequence : prefill.sequences) {
        (sequence.isFinished() ? finished : joining).add(sequence);
      }
      if (joining.size() > freeRows()) {
        // a row whose caller cancelled gives its slot away at once; take it back here
        removeCancelled();
      }
      if (joining.size() > freeRows()) {
        throw new IllegalStateException(
            joining.size() + " sequences cannot join: " + freeRows() + " rows are free");
      }
      boolean grad = GradMode.disable();
      try {
        if (cache == null) {
          cache = KvCache.allocate(manager, model.cacheLayout(), maxRows, 2 * context);
        }
        // the whole padded block in one copy per layer: the padding lands before each row's
        // first column, where its attention mask hides it
        int prefillLength = prefill.cache.capacity();
        int firstRow = rows.size();
        int[] index = new int[prefill.sequences.size()];
        int next = 0;
        for (int i = 0; i < index.length; i++) {
          index[i] = prefill.sequences.get(i).isFinished() ? -1 : next++;
        }
        cache.copyRows(prefill.cache, index, firstRow, length - prefillLength);
        for (int i = 0; i < index.length; i++) {
          if (index[i] >= 0) {
            DecodeSequence sequence = prefill.sequences.get(i);
            sequence.padLeft = length - prefill.promptLengths[i];
            rows.add(sequence);
          }
        }
      } finally {
        GradMode.restore(grad);
      }
      for (DecodeSequence sequence : finished) {
        sequence.complete(sequence.finishReason);
      }
      return finished;
    }
  }

  /**
   * Drops sequences whose caller cancelled; their rows are free for the next admission.
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
      release(cancelled);
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
      if (length == cache.capacity()) {
        shiftBack();
      }
      int count = rows.size();
      // attend from the oldest sequence's first token: earlier columns are stale for every row
      int from = length;
      for (DecodeSequence row : rows) {
        from = Math.min(from, row.padLeft);
      }
      int span = length + 1 - from;
      long[] tokens = new long[count];
      long[] positions = new long[count];
      float[] bias = new float[count * span];
      for (int i = 0; i < count; i++) {
        DecodeSequence row = rows.get(i);
        tokens[i] = row.pending;
        positions[i] = row.nextPosition;
        Arrays.fill(bias, i * span, i * span + row.padLeft - from, GptBlock.MASKED);
      }
      NDArray logits =
          model.logitsWithCache(
              weights,
              manager.create(tokens, new Shape(count, 1)),
              manager.create(positions, new Shape(count, 1)),
              manager.create(bias, new Shape(count, 1, 1, span)),
              cache.window(0, count, from),
              length - from);
      // one transfer per step; sampling runs on the host
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
        if (row.accept(choice.token(), choice.logProb(), tokenizer.endOfTurnId(), context)) {
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
    release(finished);
    for (DecodeSequence row : finished) {
      row.complete(row.finishReason);
    }
  }

  /**
   * Frees the rows of {@code leaving} at once: each is taken by the current last row (one row's
   * used columns copied), so rows {@code [0, size())} stay the ones in use. Going from the highest
   * row down means the last row is never one that is leaving too.
   */
  private void release(List<DecodeSequence> leaving) {
    int[] indices = new int[leaving.size()];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = rows.indexOf(leaving.get(i));
    }
    Arrays.sort(indices);
    for (int i = indices.length - 1; i >= 0; i--) {
      int row = indices[i];
      int last = rows.size() - 1;
      if (row != last) {
        DecodeSequence moved = rows.get(last);
        cache.copyRow(cache, last, moved.padLeft, length, row, moved.padLeft);
        rows.set(row, moved);
      }
      rows.remove(last);
    }
    if (rows.isEmpty()) {
      // nothing to keep: the next joiners start a fresh time axis
      length = context;
    }
  }

  /**
   * Moves the used columns back by {@code length - context}, so {@code length} becomes the context
   * length again. Every row's span is at most the context, so with a cache of twice the context the
   * source and target columns do not overlap.
   */
  private void shiftBack() {
    int from = length;
    for (DecodeSequence row : rows) {
      from = Math.min(from, row.padLeft);
    }
    int shift = length - context;
    cache.shiftLeft(rows.size(), from, length, shift);
    for (DecodeSequence row : rows) {
      row.padLeft -= shift;
    }
    length = context;
  }

  /** Completes every remaining sequence as cancelled and frees the cache. */
  @Override
  public void close() {
    for (DecodeSequence row : rows) {
      row.complete(FinishReason.CANCELLED);
    }
    rows.clear();
    if (cache != null) {
      cache.close();
      cache = null;
    }
    manager.close();
  }
}
