package sail.server.training.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import sail.server.model.GptBlock;
import sail.server.model.GptConfig;

/**
 * A GPT trunk with a scalar head: r(x, y) = w·h_last + b, where h_last is the final hidden state
 * (after the final norm) at the last non-pad token of prompt ++ reply. Causal attention means that
 * position has seen the whole sequence and nothing after it.
 */
final class RewardNetwork extends AbstractBlock {
  private final GptConfig config;
  private final GptBlock trunk;
  private final Linear head;

  RewardNetwork(GptConfig config) {
    this.config = config;
    this.trunk = addChildBlock("trunk", GptBlock.create(config));
    this.head = addChildBlock("head", Linear.builder().setUnits(1).build());
  }

  GptBlock trunk() {
    return trunk;
  }

  GptConfig config() {
    return config;
  }

  /**
   * @param tokens {@code (B, T)} int64, right-padded
   * @param last {@code (B, T)} float32, 1 at each row's last real token, 0 elsewhere
   * @return rewards {@code (B)}
   */
  NDArray rewards(ParameterStore ps, NDArray tokens, NDArray last, boolean training) {
    // trunk: (B, T) -> (B, T, D)
    NDArray hidden = trunk.hiddenStates(ps, tokens, training);

    // pool the last real position: (B, T, D) · (B, T, 1) summed over T -> (B, D)
    NDArray pooled = hidden.mul(last.expandDims(2)).sum(new int[] {1});

    // scalar head: (B, D) -> (B, 1) -> (B)
    return head.forward(ps, new NDList(pooled), training).head().squeeze(1);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(rewards(ps, inputs.get(0), inputs.get(1), training));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    trunk.initialize(manager);
    head.initialize(manager, dataType, new Shape(1, config.width()));
  }
}
