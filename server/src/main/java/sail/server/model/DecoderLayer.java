package sail.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-norm transformer block (GPT-2 layout): {@code x + attn(ln1(x))}, then {@code x +
 * mlp(ln2(x))}, with causal multi-head self-attention and a GELU MLP.
 */
final class DecoderLayer extends AbstractBlock {
  private final GptConfig config;
  private final int index;
  private final LayerNorm attentionNorm;
  private final Linear qkvProjection;
  private final Linear attentionOutput;
  private final LayerNorm mlpNorm;
  private final Linear mlpIn;
  private final Linear mlpOut;

  DecoderLayer(GptConfig config, int index) {
    this.config = config;
    this.index = index;
    attentionNorm = addChildBlock("attention_norm", LayerNorm.builder().axis(2).build());
    qkvProjection = addChildBlock("qkv", Linear.builder().setUnits(3L * config.width()).build());
    attentionOutput =
        addChildBlock("attention_output", Linear.builder().setUnits(config.width()).build());
    mlpNorm = addChildBlock("mlp_norm", LayerNorm.builder().axis(2).build());
    mlpIn = addChildBlock("mlp_in", Linear.builder().setUnits(config.mlpWidth()).build());
    mlpOut = addChildBlock("mlp_out", Linear.builder().setUnits(config.width()).build());
  }

  /** The two projections that write into the residual stream (scaled init, GPT-2 §2.3). */
  Linear[] residualProjections() {
    return new Linear[] {attentionOutput, mlpOut};
  }

  /**
   * Applies the block.
   *
   * @param x residual stream {@code (B, T, D)}
   * @param attentionBias additive mask {@code (B or 1, 1, T, S)}: 0 where a query may attend, a
   *     large negative number elsewhere
   * @param cache when non-null, this step's keys/values are written at {@code [start, start+T)} and
   *     attention spans the cache's columns {@code [0, start+T)}; when null, it spans the input
   */
  NDArray apply(
      ParameterStore ps,
      NDArray x,
      NDArray attentionBias,
      KvCache cache,
      int start,
      boolean training) {
    long batch = x.getShape().get(0);
    long time = x.getShape().get(1);
    int heads = config.heads();
    int headWidth = config.headWidth();

    // attention: qkv (B, T, 3D) -> (3, B, H, T, hd)
    NDArray normed = attentionNorm.forward(ps, new NDList(x), training).head();
    NDArray qkv =
        qkvProjection
            .forward(ps, new NDList(normed), training)
            .head()
            .reshape(batch, time, 3, heads, headWidth)
            .transpose(2, 0, 3, 1, 4);
    NDArray query = qkv.get(0).mul(1.0 / Math.sqrt(headWidth));
    NDArray key = qkv.get(1);
    NDArray value = qkv.get(2);

    // KV cache: keys/values of earlier positions come from the cache
    if (cache != null) {
      cache.write(index, start, key, value);
      key = cache.keys(index, start + (int) time);
      value = cache.values(index, start + (int) time);
    }

    // scores (B, H, T, S), masked softmax, weighted values -> (B, T, D)
    NDArray scores = query.matMul(key.transpose(0, 1, 3, 2)).add(attentionBias);
    NDArray attended =
        scores.softmax(-1).matMul(value).transpose(0, 2, 1, 3).reshape(batch, time, config.width());

    // residual
    x = x.add(attentionOutput.forward(ps, new NDList(attended), training).head());

    // mlp: (B, T, D) -> (B, T, 4D) -> GELU -> (B, T, D), residual
    NDArray hidden = mlpNorm.forward(ps, new NDList(x), training).head();
    hidden = Activation.gelu(mlpIn.forward(ps, new NDList(hidden), training).head());
    return x.add(mlpOut.forward(ps, new NDList(hidden), training).head());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(apply(ps, inputs.get(0), inputs.get(1), null, 0, training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape residual = inputShapes[0];
    Shape batchTime = new Shape(residual.get(0), residual.get(1));
    attentionNorm.initialize(manager, dataType, residual);
    qkvProjection.initialize(manager, dataType, residual);
    attentionOutput.initialize(manager, dataType, residual);
    mlpNorm.initialize(manager, dataType, residual);
    mlpIn.initialize(manager, dataType, residual);
    mlpOut.initialize(manager, dataType, batchTime.add(config.mlpWidth()));
  }
}
