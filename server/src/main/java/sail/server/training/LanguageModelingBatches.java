package sail.server.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.random.RandomGenerator;
import sail.server.model.CausalLanguageModel;

/**
 * Random windows of a byte corpus for next-token pre-training. Pure: the caller supplies the random
 * source.
 */
public final class LanguageModelingBatches {
  private final byte[] corpus;

  /** Joins the documents with blank lines into one byte stream. */
  public LanguageModelingBatches(List<String> documents) {
    this.corpus = String.join("\n\n", documents).getBytes(StandardCharsets.UTF_8);
  }

  public long size() {
    return corpus.length;
  }

  /**
   * Draws {@code batch} windows of {@code time + 1} bytes.
   *
   * @return inputs and targets, each {@code batch × time} row-major
   */
  public Batch next(int batch, int time, RandomGenerator random) {
    if (corpus.length <= time + 1) {
      throw new IllegalStateException("corpus is shorter than one window");
    }
    long[] inputs = new long[batch * time];
    long[] targets = new long[batch * time];
    for (int b = 0; b < batch; b++) {
      int start = random.nextInt(corpus.length - time - 1);
      for (int t = 0; t < time; t++) {
        inputs[b * time + t] = corpus[start + t] & 0xFF;
        targets[b * time + t] = corpus[start + t + 1] & 0xFF;
      }
    }
    return new Batch(inputs, targets, batch, time);
  }

  /**
   * Mean next-byte cross-entropy of a batch (nats per byte). Call inside an {@code NDScope}.
   *
   * @param training true to record the autograd graph
   */
  public static NDArray loss(CausalLanguageModel model, Batch batch, boolean training) {
    Shape shape = new Shape(batch.batch(), batch.time());
    NDArray inputs = model.manager().create(batch.inputs(), shape);
    NDArray targets = model.manager().create(batch.targets(), shape.add(1));
    return model
        .logits(model.liveParameters(), inputs, training)
        .logSoftmax(-1)
        .gather(targets, 2)
        .mean()
        .neg();
  }

  /**
   * One batch of windows.
   *
   * @param inputs ids {@code batch × time}
   * @param targets next ids {@code batch × time}
   */
  public record Batch(long[] inputs, long[] targets, int batch, int time) {}
}
