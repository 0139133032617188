package sail.server.inference;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import sail.server.model.IntList;
import sail.server.model.Tokenizer;

/**
 * One sequence being decoded: its prompt, sampling state, output so far and its position in the
 * batch's shared KV cache. Owned by the engine thread.
 */
public final class DecodeSequence {
  /** Receives progress; called on the decoding thread. */
  public interface Observer {
    default void onText(DecodeSequence sequence, String delta) {}

    default void onFinish(DecodeSequence sequence) {}
  }

  private static final Observer SILENT = new Observer() {};

  final int[] prompt;
  final SamplingParams params;
  final RandomGenerator random;
  final Observer observer;
  final Object tag;
  final IntList generated = new IntList(64);
  final FloatArrayList logProbs = new FloatArrayList();
  private final Tokenizer.StreamDecoder decoder;
  private final StopMatcher stopMatcher;

  /** Cache columns before this row's first token (left padding within the batch). */
  int padLeft;

  /** Position (within this sequence) at which {@link #pending} will be fed. */
  int nextPosition;

  /** Sampled but not yet fed to the model. */
  int pending = -1;

  FinishReason finishReason;
  volatile boolean cancelRequested;
  long modelVersion;

  /**
   * @param prompt prompt ids (cut to fit the context by the batch)
   * @param params sampling parameters
   * @param tokenizer used to stream text
   * @param observer progress callbacks, or null
   * @param tag caller's handle (e.g. the request), returned untouched
   */
  public DecodeSequence(
      int[] prompt, SamplingParams params, Tokenizer tokenizer, Observer observer, Object tag) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("prompt must contain at least one token");
    }
    this.prompt = prompt.clone();
    this.params = params;
    this.random = new SplittableRandom(params.seed());
    this.observer = observer == null ? SILENT : observer;
    this.tag = tag;
    this.decoder = tokenizer.newStreamDecoder();
    this.stopMatcher = new StopMatcher(params.stop());
  }

  /** Records a sampled token; returns true if the sequence is finished. */
  boolean accept(int token, float logProb, int endOfTurn, int contextLength) {
    generated.add(token);
    logProbs.add(logProb);
    if (token == endOfTurn) {
      finishReason = FinishReason.STOP;
      return true;
    }
    String delta = stopMatcher.push(decoder.push(token));
    if (!delta.isEmpty()) {
      observer.onText(this, delta);
    }
    if (stopMatcher.matched()) {
      finishReason = FinishReason.STOP;
      return true;
    }
    if (generated.size() >= params.maxNewTokens() || nextPosition >= contextLength) {
      finishReason = FinishReason.LENGTH;
      return true;
    }
    return false;
  }

  /** Flushes held-back text and notifies the observer. */
  void complete(FinishReason reason) {
    if (finishReason == null || reason == FinishReason.CANCELLED) {
      finishReason = reason;
    }
    if (!stopMatcher.matched()) {
      String tail = stopMatcher.push(decoder.finish());
      tail += stopMatcher.finish();
      if (!tail.isEmpty() && finishReason != FinishReason.CANCELLED) {
        observer.onText(this, tail);
      }
    }
    observer.onFinish(this);
  }

  /** Asks the engine to drop this sequence before its next step. */
  public void cancel() {
    cancelRequested = true;
  }

  public boolean isFinished() {
    return finishReason != null;
  }

  public Object tag() {
    return tag;
  }

  public int promptTokens() {
    return prompt.length;
  }

  public int completionTokens() {
    return generated.size();
  }

  /** The finished reply. */
  public GenerationResult result() {
    return new GenerationResult(
        stopMatcher.text(),
        generated.toArray(),
        logProbs.toArray(),
        prompt.length,
        finishReason,
        modelVersion);
  }

  /** A growable float list. */
  static final class FloatArrayList {
    private float[] values = new float[64];
    private int size;

    void add(float value) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    float[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }
  }
}
