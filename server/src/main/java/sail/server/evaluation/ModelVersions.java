package sail.server.evaluation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import sail.server.model.Checkpoint;
import sail.server.model.CheckpointException;
import sail.server.model.WeightSnapshot;
import sail.server.registry.CheckpointStore;
import sail.server.registry.ModelRegistry;
import sail.server.registry.PublishedModel;

/**
 * The model versions an evaluation can read, each pinned (retained) for as long as the evaluation
 * runs, so that a publish or rollback during the evaluation never frees the weights it samples
 * from: the served version (from the registry), the reference the server started with, and the
 * published versions kept on disk.
 */
public final class ModelVersions implements AutoCloseable {
  /** Weights of one version, retained until {@link #close()}. */
  public record Pinned(long version, WeightSnapshot weights) implements AutoCloseable {
    @Override
    public void close() {
      weights.release();
    }
  }

  private final ModelRegistry registry;
  private final PublishedModel reference;
  private final Supplier<CheckpointStore> kept;

  /**
   * @param registry serves the current version
   * @param reference the base version; this object takes over the caller's reference to its weights
   *     and releases it on {@link #close()}
   * @param kept published versions on disk, or a supplier of null when none are kept (no trainer)
   */
  public ModelVersions(
      ModelRegistry registry, PublishedModel reference, Supplier<CheckpointStore> kept) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.reference = Objects.requireNonNull(reference, "reference");
    this.kept = Objects.requireNonNull(kept, "kept");
  }

  /** The version new requests are served with. */
  public Pinned served() {
    PublishedModel served = registry.acquire();
    return new Pinned(served.version(), served.weights());
  }

  public long referenceVersion() {
    return reference.version();
  }

  /** The reference (base) version. */
  public Pinned reference() {
    return new Pinned(reference.version(), reference.weights().retain());
  }

  /**
   * Version {@code version}: served, the reference, or read from disk.
   *
   * @throws UnknownVersionException if it is none of those, or its files on disk do not verify
   */
  public Pinned pin(long version) {
    Pinned served = served();
    if (served.version() == version) {
      return served;
    }
    served.close();
    if (version == reference.version()) {
      return reference();
    }
    CheckpointStore store = kept.get();
    if (store != null && Files.isDirectory(store.pathOf(version))) {
      Path dir = store.pathOf(version);
      try {
        Checkpoint.verify(dir);
        return new Pinned(
            version,
            WeightSnapshot.read(
                dir.resolve(Checkpoint.WEIGHTS),
                registry.model().block(),
                registry.model().device()));
      } catch (CheckpointException e) {
        throw new UnknownVersionException(
            version, "model version " + version + " is kept but unreadable: " + e.getMessage());
      }
    }
    throw new UnknownVersionException(
        version,
        "model version "
            + version
            + " is not kept; versions that can be evaluated: "
            + available()
            + " (leave the version out to evaluate the served one)");
  }

  /** The versions {@link #pin} finds, for error messages. */
  String available() {
    CheckpointStore store = kept.get();
    List<Long> onDisk = store == null ? List.of() : store.numbers();
    return "served "
        + registry.currentVersion()
        + ", reference "
        + reference.version()
        + ", kept on disk "
        + onDisk;
  }

  @Override
  public void close() {
    reference.weights().release();
  }
}
