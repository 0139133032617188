package sail.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Decoder-only transformer (GPT-2 layout): token + learned position embeddings, pre-norm blocks
 * with causal self-attention and an MLP, a final norm and an output head tied to the token
 * embedding.
 *
 * <p>The block holds no per-call state, so several threads may run it at once with different {@link
 * ParameterStore}s (that is how a published weight snapshot serves while training updates the live
 * parameters).
 */
public final class GptBlock extends AbstractBlock {
  /** Large negative bias instead of −∞: a fully masked row stays finite (it is ignored anyway). */
  public static final float MASKED = -1e9f;

  private final GptConfig config;
  private final Parameter tokenEmbedding;
  private final Parameter positionEmbedding;
  private final List<DecoderLayer> layers = new ArrayList<>();
  private final LayerNorm finalNorm;

  private GptBlock(GptConfig config) {
    this.config = config;
    tokenEmbedding =
        addParameter(
            Parameter.builder()
                .setName("token_embedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.vocabSize(), config.width()))
                .build());
    positionEmbedding =
        addParameter(
            Parameter.builder()
                .setName("position_embedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.contextLength(), config.width()))
                .build());
    for (int i = 0; i < config.layers(); i++) {
      layers.add(addChildBlock("layer" + i, new DecoderLayer(config, i)));
    }
    finalNorm = addChildBlock("final_norm", LayerNorm.builder().axis(2).build());
  }

  /**
   * A block with GPT-2's initialisation: weights ~ N(0, 0.02), residual projections scaled by
   * 1/√(2·layers) so the residual stream's variance does not grow with depth. Call {@link
   * #initialize} (or load weights) before use.
   */
  public static GptBlock create(GptConfig config) {
    GptBlock block = new GptBlock(config);
    block.setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
    float residualSigma = (float) (0.02 / Math.sqrt(2.0 * config.layers()));
    for (DecoderLayer layer : block.layers) {
      for (Linear projection : layer.residualProjections()) {
        projection.setInitializer(new NormalInitializer(residualSigma), Parameter.Type.WEIGHT);
      }
    }
    return block;
  }

  /** Allocates and initialises every parameter. */
  public void initialize(NDManager manager) {
    initialize(manager, DataType.FLOAT32, new Shape(1, config.contextLength()));
  }

  public GptConfig config() {
    return config;
  }

  /**
   * Full causal forward pass over right-padded sequences (training and scoring): positions {@code
   * 0..T-1}, every query attends to itself and earlier positions.
   *
   * @param tokens {@code (B, T)} int64 ids
   * @return logits {@code (B, T, V)}
   */
  public NDArray logits(ParameterStore ps, NDArray tokens, boolean training) {
    int time = (int) tokens.getShape().get(1);
    NDManager manager = tokens.getManager();
    NDArray positions = manager.arange(0, time, 1, DataType.INT64).reshape(1, time);
    NDArray bias = manager.create(causalBias(time), new Shape(1, 1, time, time));
    return run(ps, tokens, positions, bias, null, 0, training);
  }

  /**
   * The final hidden states of a full causal pass (after the final norm, before the output head),
   * for heads other than the language-model head, such as a reward model's scalar head.
   *
   * @param tokens {@code (B, T)} int64 ids, right-padded
   * @return {@code (B, T, D)}
   */
  public NDArray hiddenStates(ParameterStore ps, NDArray tokens, boolean training) {
    int time = (int) tokens.getShape().get(1);
    NDManager manager = tokens.getManager();
    NDArray positions = manager.arange(0, time, 1, DataType.INT64).reshape(1, time);
    NDArray bias = manager.create(causalBias(time), new Shape(1, 1, time, time));
    return hidden(ps, tokens, positions, bias, null, 0, training);
  }

  /**
   * Incremental forward pass with a KV cache: writes the keys/values of these {@code T} positions
   * at cache columns {@code [start, start+T)} and attends over columns {@code [0, start+T)}.
   *
   * @param tokens {@code (B, T)} int64 ids
   * @param positions {@code (B, T)} int64 position of each token within its own sequence
   * @param attentionBias {@code (B, 1, T, start+T)} additive mask (0 or {@link #MASKED})
   * @return logits {@code (B, T, V)}
   */
  public NDArray logitsWithCache(
      ParameterStore ps,
      NDArray tokens,
      NDArray positions,
      NDArray attentionBias,
      KvCache cache,
      int start) {
    return run(ps, tokens, positions, attentionBias, cache, start, false);
  }

  private NDArray run(
      ParameterStore ps,
      NDArray tokens,
      NDArray positions,
      NDArray bias,
      KvCache cache,
      int start,
      boolean training) {
    NDArray x = hidden(ps, tokens, positions, bias, cache, start, training);

    // tied output head: (B, T, D) x (V, D)^T -> (B, T, V)
    NDArray tokenTable = ps.getValue(tokenEmbedding, tokens.getDevice(), training);
    return Linear.linear(x, tokenTable).head();
  }

  private NDArray hidden(
      ParameterStore ps,
      NDArray tokens,
      NDArray positions,
      NDArray bias,
      KvCache cache,
      int start,
      boolean training) {
    var device = tokens.getDevice();
    NDArray tokenTable = ps.getValue(tokenEmbedding, device, training);
    NDArray positionTable = ps.getValue(positionEmbedding, device, training);

    // embeddings: (B, T) -> (B, T, D)
    NDArray x =
        Embedding.embedding(tokens, tokenTable, SparseFormat.DENSE)
            .head()
            .add(Embedding.embedding(positions, positionTable, SparseFormat.DENSE).head());

    // transformer blocks
    for (DecoderLayer layer : layers) {
      x = layer.apply(ps, x, bias, cache, start, training);
    }

    // final norm: (B, T, D)
    return finalNorm.forward(ps, new NDList(x), training).head();
  }

  /** Row-major {@code T×T} additive causal mask. */
  static float[] causalBias(int time) {
    float[] bias = new float[time * time];
    for (int q = 0; q < time; q++) {
      for (int k = q + 1; k < time; k++) {
        bias[q * time + k] = MASKED;
      }
    }
    return bias;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(logits(ps, inputs.head(), training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape tokens = inputShapes[0];
    return new Shape[] {new Shape(tokens.get(0), tokens.get(1), config.vocabSize())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape residual = new Shape(inputShapes[0].get(0), inputShapes[0].get(1), config.width());
    for (DecoderLayer layer : layers) {
      layer.initialize(manager, dataType, residual, new Shape(1, 1, 1, 1));
    }
    finalNorm.initialize(manager, dataType, residual);
  }
}
