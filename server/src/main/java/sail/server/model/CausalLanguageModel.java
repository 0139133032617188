package sail.server.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * A causal language model as serving and training see it, whatever its architecture. The live
 * (trainable) parameters belong to {@link #block()}; frozen or published versions are {@link
 * WeightSnapshot}s whose {@link ParameterStore} is passed to the same forward functions.
 *
 * <p>Adding a model family (e.g. a Llama-style block loaded from safetensors with a Hugging Face
 * tokenizer) means implementing this interface and registering it in {@link ModelLoader}.
 */
public interface CausalLanguageModel extends AutoCloseable {

  /** Architecture name stored in checkpoints, e.g. {@code gpt}. */
  String architecture();

  Tokenizer tokenizer();

  /** Longest prompt + reply, in tokens. */
  int contextLength();

  /** Number of trainable parameters. */
  long parameterCount();

  /** Forward FLOPs per token when attending over {@code attended} positions. */
  double forwardFlopsPerToken(double attended);

  /** Device holding the live parameters. */
  Device device();

  /** Manager owning the live parameters. */
  NDManager manager();

  /** The network; its parameters are the live, trainable weights. */
  Block block();

  /** Geometry of the KV cache this model needs. */
  KvCache.Layout cacheLayout();

  /** Store that reads the live parameters (training). */
  ParameterStore liveParameters();

  /**
   * Full causal forward pass.
   *
   * @param tokens {@code (B, T)} int64, right-padded
   * @return logits {@code (B, T, V)}
   */
  NDArray logits(ParameterStore weights, NDArray tokens, boolean training);

  /** Incremental forward pass; see {@link GptBlock#logitsWithCache}. */
  NDArray logitsWithCache(
      ParameterStore weights,
      NDArray tokens,
      NDArray positions,
      NDArray attentionBias,
      KvCache cache,
      int start);

  /** Configuration written into checkpoints ({@code config.json}). */
  Object configForCheckpoint();

  @Override
  void close();
}
