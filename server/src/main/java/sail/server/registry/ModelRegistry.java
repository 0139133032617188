package sail.server.registry;

import java.util.concurrent.atomic.AtomicReference;
import sail.server.model.CausalLanguageModel;
import sail.server.model.WeightSnapshot;

/**
 * The version that new requests are served with. Publishing swaps one reference: requests already
 * running keep the version they started on (they hold a reference to its weights), new requests get
 * the new one, and nothing pauses (stack-notes.md, "Hot swap").
 */
public final class ModelRegistry {
  private final CausalLanguageModel model;
  private final AtomicReference<PublishedModel> current;
  private long highestVersion;

  /**
   * @param model the network the versions are weights of
   * @param initialVersion version number of {@code initialWeights}
   * @param initialWeights the first served weights; the registry takes over the caller's reference
   */
  public ModelRegistry(
      CausalLanguageModel model, long initialVersion, WeightSnapshot initialWeights) {
    this.model = model;
    this.current =
        new AtomicReference<>(
            new PublishedModel(initialVersion, initialWeights, System.currentTimeMillis()));
    this.highestVersion = initialVersion;
  }

  /** The highest version number ever served; the next publish must exceed it. */
  public synchronized long highestVersion() {
    return highestVersion;
  }

  /**
   * Makes the next publish use a number above {@code version} as well: numbers already used on disk
   * (e.g. by a damaged version that was set aside) are never reused.
   */
  public synchronized void reserveThrough(long version) {
    highestVersion = Math.max(highestVersion, version);
  }

  public CausalLanguageModel model() {
    return model;
  }

  /** The current version, retained for the caller, who must release its weights when done. */
  public PublishedModel acquire() {
    while (true) {
      PublishedModel published = current.get();
      try {
        published.weights().retain();
        return published;
      } catch (IllegalStateException released) {
        // lost a race with a publish that released this version; read the new one
      }
    }
  }

  /** Version number of the current version (no reference taken). */
  public long currentVersion() {
    return current.get().version();
  }

  /**
   * Makes {@code weights} the served version. The registry takes over the caller's reference and
   * drops its reference to the previous version (freed once its last reader finishes).
   *
   * @throws IllegalArgumentException if {@code version} is not newer than every version served so
   *     far (use {@link #rollbackTo} to serve an older version again)
   */
  public synchronized void publish(long version, WeightSnapshot weights) {
    if (version <= highestVersion) {
      throw new IllegalArgumentException(
          "version " + version + " is not newer than the highest served " + highestVersion);
    }
    highestVersion = version;
    swap(new PublishedModel(version, weights, System.currentTimeMillis()));
  }

  /**
   * Serves an earlier version again (rollback). The registry takes over the caller's reference to
   * {@code weights}; later publishes continue above the highest version ever served.
   */
  public synchronized void rollbackTo(long version, WeightSnapshot weights) {
    if (version > highestVersion) {
      throw new IllegalArgumentException(
          "cannot roll back to version " + version + ": it was never served");
    }
    swap(new PublishedModel(version, weights, System.currentTimeMillis()));
  }

  private void swap(PublishedModel next) {
    PublishedModel previous = current.getAndSet(next);
    previous.weights().release();
  }
}
