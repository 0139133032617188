package sail.server.inference;

import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.model.Devices;
import sail.server.model.ModelLoader;
import sail.server.registry.ModelRegistry;

/** Loads a checkpoint and starts an {@link InferenceEngine} serving it. */
public final class EngineLoader {
  private static final Logger LOG = LoggerFactory.getLogger(EngineLoader.class);

  /** Where the shipped base model lives, relative to the installation (the repository root). */
  public static final Path EMBEDDED_DEFAULT = Path.of("models", "base");

  private EngineLoader() {}

  /**
   * The embedded default checkpoint: {@code $SAIL_HOME/models/base} when SAIL_HOME is set (the
   * launcher sets it), else {@code models/base} under the working directory.
   */
  public static Path embeddedDefault() {
    String home = System.getenv("SAIL_HOME");
    Path base = home == null || home.isBlank() ? Path.of("") : Path.of(home);
    return base.resolve(EMBEDDED_DEFAULT).toAbsolutePath();
  }

  /**
   * @param checkpoint checkpoint directory, or null for the embedded default
   * @param device {@code cpu}, {@code gpu} or {@code auto}
   */
  public static InferenceEngine load(Path checkpoint, String device, EngineSettings settings) {
    Path directory = checkpoint == null ? embeddedDefault() : checkpoint;
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException(
          "model checkpoint directory "
              + directory
              + " does not exist; pass --config with engine.checkpoint, or run from the"
              + " installation directory (or set SAIL_HOME)");
    }
    ModelLoader.Loaded loaded = ModelLoader.load(directory, Devices.parse(device));
    LOG.info(
        "loaded {} ({} parameters, version {}) from {}",
        loaded.model().architecture(),
        loaded.model().parameterCount(),
        loaded.metadata().version(),
        directory);
    ModelRegistry registry =
        new ModelRegistry(loaded.model(), loaded.metadata().version(), loaded.weights());
    return new InferenceEngine(registry, settings, loaded.model());
  }
}
