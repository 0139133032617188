package sail.server.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/** The embedded byte-level GPT as a {@link CausalLanguageModel}. */
public final class GptLanguageModel implements CausalLanguageModel {
  private final GptConfig config;
  private final Tokenizer tokenizer;
  private final NDManager manager;
  private final GptBlock block;
  private final ParameterStore live;

  private GptLanguageModel(GptConfig config, Tokenizer tokenizer, NDManager manager) {
    this.config = config;
    this.tokenizer = tokenizer;
    this.manager = manager;
    this.block = GptBlock.create(config);
    this.live = new ParameterStore(manager, false);
  }

  /** A freshly initialised model (pre-training starts here). */
  public static GptLanguageModel initialized(GptConfig config, Device device) {
    GptLanguageModel model =
        new GptLanguageModel(
            config, new ByteTokenizer(), NDManager.newBaseManager(device, "PyTorch"));
    model.block.initialize(model.manager);
    return model;
  }

  /** A model whose parameters will be loaded from a checkpoint by {@link ModelLoader}. */
  static GptLanguageModel forLoading(GptConfig config, Tokenizer tokenizer, Device device) {
    GptLanguageModel model =
        new GptLanguageModel(config, tokenizer, NDManager.newBaseManager(device, "PyTorch"));
    model.block.initialize(model.manager);
    return model;
  }

  public GptConfig config() {
    return config;
  }

  @Override
  public String architecture() {
    return GptConfig.ARCHITECTURE;
  }

  @Override
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public int contextLength() {
    return config.contextLength();
  }

  @Override
  public long parameterCount() {
    return config.parameterCount();
  }

  @Override
  public double forwardFlopsPerToken(double attended) {
    return config.forwardFlopsPerToken(attended);
  }

  @Override
  public Device device() {
    return manager.getDevice();
  }

  @Override
  public NDManager manager() {
    return manager;
  }

  @Override
  public Block block() {
    return block;
  }

  @Override
  public KvCache.Layout cacheLayout() {
    return new KvCache.Layout(config.layers(), config.heads(), config.headWidth());
  }

  @Override
  public ParameterStore liveParameters() {
    return live;
  }

  @Override
  public NDArray logits(ParameterStore weights, NDArray tokens, boolean training) {
    return block.logits(weights, tokens, training);
  }

  @Override
  public NDArray logitsWithCache(
      ParameterStore weights,
      NDArray tokens,
      NDArray positions,
      NDArray attentionBias,
      KvCache cache,
      int start) {
    return block.logitsWithCache(weights, tokens, positions, attentionBias, cache, start);
  }

  @Override
  public Object configForCheckpoint() {
    return config;
  }

  @Override
  public void close() {
    manager.close();
  }
}
