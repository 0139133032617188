package sail.server.registry;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
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
  private volatile LongConsumer onPublish = version -> {};

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
   * @throws IllegalArgumentException if {@code version} is not newer than the current one (use
   *     {@link #rollbackTo} to serve an older version's weights under a new number)
   */
  public void publish(long version, WeightSnapshot weights) {
    PublishedModel next = new PublishedModel(version, weights, System.currentTimeMillis());
    PublishedModel previous;
    do {
      previous = current.get();
      if (version <= previous.version()) {
        throw new IllegalArgumentException(
            "version " + version + " is not newer than the served " + previous.version());
      }
    } while (!current.compareAndSet(previous, next));
    previous.weights().release();
    onPublish.accept(version);
  }

  /** Registers a callback run after every publish (e.g. to wake the engine, update metrics). */
  public void onPublish(LongConsumer callback) {
    this.onPublish = callback;
  }
}
