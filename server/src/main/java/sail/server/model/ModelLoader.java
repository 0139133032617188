package sail.server.model;

import ai.djl.Device;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * Reads and writes model checkpoints for every supported architecture. The only place that maps an
 * architecture name to its implementation.
 */
public final class ModelLoader {
  private ModelLoader() {}

  /**
   * A model loaded from a checkpoint: its live parameters hold the checkpoint's weights, and {@code
   * weights} is an immutable snapshot of them (the caller owns one reference).
   */
  public record Loaded(
      CausalLanguageModel model, WeightSnapshot weights, CheckpointMetadata metadata) {}

  /** Loads and verifies a checkpoint directory. */
  public static Loaded load(Path directory, Device device) {
    CheckpointMetadata metadata = Checkpoint.verify(directory);
    Path configFile = directory.resolve(Checkpoint.CONFIG);
    Path tokenizerFile = directory.resolve(Checkpoint.TOKENIZER);
    TokenizerSpec spec = Checkpoint.readJson(tokenizerFile, TokenizerSpec.class);
    CausalLanguageModel model =
        switch (metadata.architecture()) {
          case GptConfig.ARCHITECTURE -> {
            GptConfig config = Checkpoint.readJson(configFile, GptConfig.class);
            Tokenizer tokenizer = tokenizerFor(spec, tokenizerFile);
            if (tokenizer.vocabSize() != config.vocabSize()) {
              throw new CheckpointException(
                  configFile,
                  "vocabSize "
                      + config.vocabSize()
                      + " does not match the tokenizer's "
                      + tokenizer.vocabSize());
            }
            yield GptLanguageModel.forLoading(config, tokenizer, device);
          }
          default ->
              throw new CheckpointException(
                  directory.resolve(Checkpoint.METADATA),
                  "unknown architecture '" + metadata.architecture() + "'");
        };
    WeightSnapshot weights;
    try {
      weights = WeightSnapshot.read(directory.resolve(Checkpoint.WEIGHTS), model.block(), device);
    } catch (CheckpointException e) {
      model.close();
      throw e;
    }
    weights.copyInto(model.block());
    return new Loaded(model, weights, metadata);
  }

  /** Writes a model checkpoint (weights from {@code weights}) plus any extra files. */
  public static CheckpointMetadata save(
      Path directory,
      CausalLanguageModel model,
      WeightSnapshot weights,
      long version,
      long parentVersion,
      Map<String, Object> trainingSummary,
      Checkpoint.Writer extraFiles) {
    Checkpoint.Writer writer = extraFiles == null ? new Checkpoint.Writer() : extraFiles;
    writer
        .arrays(Checkpoint.WEIGHTS, weights.namedArrays())
        .json(Checkpoint.CONFIG, model.configForCheckpoint())
        .json(Checkpoint.TOKENIZER, model.tokenizer().spec());
    CheckpointMetadata metadata =
        new CheckpointMetadata(
            version,
            parentVersion,
            Instant.now().toString(),
            model.architecture(),
            Map.of(),
            trainingSummary);
    return writer.write(directory, metadata);
  }

  private static Tokenizer tokenizerFor(TokenizerSpec spec, Path file) {
    if (ByteTokenizer.TYPE.equals(spec.type())) {
      ByteTokenizer tokenizer = new ByteTokenizer();
      if (!tokenizer.spec().equals(spec)) {
        throw new CheckpointException(file, "byte-level tokenizer spec differs from this build's");
      }
      return tokenizer;
    }
    throw new CheckpointException(file, "unknown tokenizer type '" + spec.type() + "'");
  }
}
