package sail.server.training.reward;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import sail.server.model.Checkpoint;
import sail.server.model.GptConfig;
import sail.server.model.GradMode;
import sail.server.model.Tokenizer;
import sail.server.model.WeightSnapshot;
import sail.server.training.AdamW;
import sail.server.training.ChatEncoding;

/**
 * The learned reward of the DPR route: a small GPT trunk with a scalar head ({@link
 * RewardNetwork}), trained on human feedback with
 *
 * <pre>
 *   👍/👎 on reply y:          −[z·log σ(r) + (1 − z)·log(1 − σ(r))] = softplus(−(2z − 1)·r)
 *   y_w preferred over y_l:     −log σ(r_w − r_l) = softplus(−(r_w − r_l))     (Bradley–Terry)
 * </pre>
 *
 * averaged over the examples of a batch. It owns its parameters, its native memory and its own
 * {@link AdamW}, but not a gradient collector: DJL allows one collector per JVM (stack-notes.md),
 * so the trainer calls {@link #lossFor} inside the collector it opened for the policy, calls {@code
 * backward} on it (alone, or added to the policy's loss — the graphs are disjoint), closes the
 * collector and then calls {@link #applyGradients}.
 *
 * <p>Used from the training thread only.
 */
public final class RewardModel implements TrainableReward {
  /** The configuration's name of this kind. */
  public static final String KIND = "transformer";

  static final String WEIGHTS_FILE = "reward-weights.safetensors";
  static final String OPTIMIZER_FILE = "reward-optimizer.safetensors";

  private final Tokenizer tokenizer;
  private final NDManager manager;
  private final RewardNetwork network;
  private final ParameterStore live;
  private final AdamW optimizer;

  private RewardModel(GptConfig trunk, Tokenizer tokenizer, Device device) {
    if (trunk.vocabSize() < tokenizer.vocabSize()) {
      throw new IllegalArgumentException(
          "reward trunk vocabulary "
              + trunk.vocabSize()
              + " is smaller than the tokenizer's "
              + tokenizer.vocabSize());
    }
    this.tokenizer = tokenizer;
    this.manager = NDManager.newBaseManager(device, "PyTorch");
    this.network = new RewardNetwork(trunk);
    network.initialize(
        manager,
        DataType.FLOAT32,
        new Shape(1, trunk.contextLength()),
        new Shape(1, trunk.contextLength()));
    this.live = new ParameterStore(manager, false);
    this.optimizer = new AdamW(AdamW.Settings.defaults(), manager);
  }

  /** A freshly initialised reward model with a trunk of shape {@code trunk}. */
  public static RewardModel create(GptConfig trunk, Tokenizer tokenizer, Device device) {
    return new RewardModel(trunk, tokenizer, device);
  }

  /**
   * Copies a language model's weights into the trunk (a reward model usually starts from the base
   * policy); {@code weights} must come from a {@link sail.server.model.GptBlock} of the same shape.
   */
  public void initializeTrunkFrom(WeightSnapshot weights) {
    weights.copyInto(network.trunk());
  }

  /**
   * The batch loss of {@code examples}, a scalar. Records the autograd graph when the calling
   * thread's grad mode is on (inside a gradient collector). Intermediates belong to this model's
   * manager: call inside an {@link NDScope}.
   *
   * @throws IllegalArgumentException if {@code examples} is empty
   */
  public NDArray lossFor(List<RewardExample> examples) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("a reward batch needs at least one example");
    }
    // lay out every scored reply: ratings, then chosen replies, then rejected replies
    List<PromptReply> replies = new ArrayList<>();
    List<Float> signs = new ArrayList<>();
    List<PromptReply> chosen = new ArrayList<>();
    List<PromptReply> rejected = new ArrayList<>();
    for (RewardExample example : examples) {
      if (example instanceof RewardExample.Rating rating) {
        replies.add(new PromptReply(rating.prompt(), rating.reply()));
        signs.add(rating.liked() ? 1f : -1f);
      } else if (example instanceof RewardExample.Comparison comparison) {
        chosen.add(new PromptReply(comparison.prompt(), comparison.chosen()));
        rejected.add(new PromptReply(comparison.prompt(), comparison.rejected()));
      }
    }
    int ratings = replies.size();
    int comparisons = chosen.size();
    replies.addAll(chosen);
    replies.addAll(rejected);
    NDArray r = rewards(replies, true); // (ratings + 2·comparisons)

    NDArray total = manager.zeros(new Shape());
    if (ratings > 0) {
      // binary cross-entropy with logits: softplus(−(±1)·r)
      float[] sign = new float[ratings];
      for (int i = 0; i < ratings; i++) {
        sign[i] = signs.get(i);
      }
      NDArray rated = r.get("0:" + ratings);
      total = total.add(Activation.softPlus(rated.mul(manager.create(sign)).neg()).sum());
    }
    if (comparisons > 0) {
      // Bradley–Terry: softplus(−(r_w − r_l))
      NDArray rw = r.get(ratings + ":" + (ratings + comparisons));
      NDArray rl = r.get((ratings + comparisons) + ":");
      total = total.add(Activation.softPlus(rw.sub(rl).neg()).sum());
    }
    return total.div(examples.size());
  }

  /**
   * Scores of {@code items} as an array {@code (B)}; with {@code training} the graph to the
   * parameters is recorded (when grad mode is on).
   */
  public NDArray rewards(List<PromptReply> items, boolean training) {
    int context = network.config().contextLength();
    int batch = items.size();
    int[][] sequences = new int[batch][];
    int time = 1;
    for (int b = 0; b < batch; b++) {
      PromptReply item = items.get(b);
      int[] prompt = ChatEncoding.prompt(tokenizer, item.prompt());
      int[] reply = tokenizer.encodeReply(item.reply());
      int[] sequence = Arrays.copyOf(prompt, prompt.length + reply.length);
      System.arraycopy(reply, 0, sequence, prompt.length, reply.length);
      // keep the end: the head reads the last token, which must have seen the reply
      if (sequence.length > context) {
        sequence = Arrays.copyOfRange(sequence, sequence.length - context, sequence.length);
      }
      sequences[b] = sequence;
      time = Math.max(time, sequence.length);
    }
    long[] tokens = new long[batch * time];
    float[] last = new float[batch * time];
    Arrays.fill(tokens, tokenizer.padId());
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < sequences[b].length; t++) {
        tokens[b * time + t] = sequences[b][t];
      }
      last[b * time + sequences[b].length - 1] = 1f;
    }
    Shape shape = new Shape(batch, time);
    return network.rewards(
        live, manager.create(tokens, shape), manager.create(last, shape), training);
  }

  /** Replies scored per forward pass (see {@link #score}). */
  static final int SCORE_BATCH = 16;

  /**
   * Scores without autograd, {@value #SCORE_BATCH} replies per forward pass; safe inside an open
   * gradient collector. Why chunks: the attention scores of one pass take batch × heads × T² floats
   * per layer, over a gigabyte for the few hundred held-out replies of an accuracy measurement, and
   * the process keeps such peaks mapped (see the launcher's malloc settings).
   */
  @Override
  public double[] score(List<PromptReply> items) {
    double[] scores = new double[items.size()];
    boolean grad = GradMode.disable();
    try {
      for (int start = 0; start < items.size(); start += SCORE_BATCH) {
        List<PromptReply> chunk = items.subList(start, Math.min(items.size(), start + SCORE_BATCH));
        try (NDScope ignored = new NDScope()) {
          float[] values = rewards(chunk, false).toFloatArray();
          for (int i = 0; i < values.length; i++) {
            scores[start + i] = values[i];
          }
        }
      }
      return scores;
    } finally {
      GradMode.restore(grad);
    }
  }

  /**
   * Clips the gradients that {@code backward} left on this model's parameters, applies one AdamW
   * update and zeroes them. Call after the collector is closed.
   *
   * @return the gradient norm before clipping
   */
  public double applyGradients(float learningRate, double clipNorm) {
    PairList<String, Parameter> parameters = network.getParameters();
    double norm = AdamW.clipGradients(parameters, clipNorm);
    optimizer.update(parameters, learningRate);
    return norm;
  }

  /**
   * One stand-alone step: opens its own gradient collector, so call it only where no other
   * collector is open (tests, or a process without a policy trainer).
   *
   * @return the loss before the update
   */
  @Override
  public double trainStep(List<RewardExample> examples, float learningRate, double clipNorm) {
    double loss;
    try (NDScope ignored = new NDScope();
        GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
      NDArray value = lossFor(examples);
      collector.backward(value);
      loss = value.getFloat();
    }
    applyGradients(learningRate, clipNorm);
    return loss;
  }

  /** The trainable parameters (trunk and head). */
  public PairList<String, Parameter> parameters() {
    return network.getParameters();
  }

  /** Where the weights live. */
  public Device device() {
    return manager.getDevice();
  }

  /** The optimizer, whose state a checkpoint saves with {@link AdamW#state()}. */
  public AdamW optimizer() {
    return optimizer;
  }

  /** A copy of the current weights (for a checkpoint, or to freeze a scorer). */
  public WeightSnapshot snapshot() {
    return WeightSnapshot.copyOf(network, manager.getDevice());
  }

  /**
   * Overwrites the weights with named arrays written from a {@link #snapshot()} (a checkpoint).
   *
   * @throws IllegalArgumentException if a parameter is missing or has the wrong shape
   */
  public void restoreNamed(ai.djl.ndarray.NDList named) {
    WeightSnapshot weights = WeightSnapshot.fromNamed(network, named, manager.getDevice());
    try {
      weights.copyInto(network);
    } finally {
      weights.release();
    }
  }

  /** Overwrites the weights with a snapshot taken by {@link #snapshot()} (restore, rollback). */
  public void restore(WeightSnapshot weights) {
    weights.copyInto(network);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public long optimizerStep() {
    return optimizer.step();
  }

  @Override
  public void writeTo(Checkpoint.Writer checkpoint) {
    WeightSnapshot weights = snapshot();
    try {
      checkpoint
          .arrays(WEIGHTS_FILE, weights.namedArrays())
          .arrays(OPTIMIZER_FILE, optimizer.state());
    } finally {
      weights.release();
    }
  }

  @Override
  public boolean restoreFrom(Path checkpoint, long optimizerStep) {
    if (!Files.exists(checkpoint.resolve(WEIGHTS_FILE))) {
      return false;
    }
    try (NDManager scratch = NDManager.newBaseManager(device(), "PyTorch")) {
      restoreNamed(Checkpoint.readArrays(checkpoint.resolve(WEIGHTS_FILE), scratch));
      optimizer.restore(
          Checkpoint.readArrays(checkpoint.resolve(OPTIMIZER_FILE), scratch), optimizerStep);
    }
    return true;
  }

  @Override
  public void close() {
    optimizer.close();
    manager.close();
  }
}
