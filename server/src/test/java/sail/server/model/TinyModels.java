package sail.server.model;

import ai.djl.Device;

/** Small models for fast tests: the same code paths as the default model, at a tiny size. */
public final class TinyModels {
  private TinyModels() {}

  public static GptConfig config() {
    return new GptConfig(ByteTokenizer.VOCAB_SIZE, 48, 2, 32, 4, 64);
  }

  public static GptLanguageModel create() {
    return GptLanguageModel.initialized(config(), Device.cpu());
  }
}
