package sail.server.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable copy of a model's parameters in its own native memory: a published version, the
 * frozen reference, or a rollback target. Serving reads it through {@link #parameterStore()} while
 * training keeps updating the live parameters.
 *
 * <p>Reference counted: the creator holds one reference; every reader {@link #retain()}s before use
 * and {@link #release()}s after, and the memory is freed when the count reaches zero, so an old
 * version stays valid until its last in-flight reply finishes.
 */
public final class WeightSnapshot {
  private final NDManager manager;
  private final Map<String, NDArray> byParameterId;
  private final Map<String, NDArray> byName;
  private final SnapshotStore store;
  private final AtomicInteger references = new AtomicInteger(1);

  private WeightSnapshot(
      NDManager manager, Map<String, NDArray> byParameterId, Map<String, NDArray> byName) {
    this.manager = manager;
    this.byParameterId = byParameterId;
    this.byName = byName;
    this.store = new SnapshotStore(manager);
  }

  /** Copies the current values of every parameter of {@code block}. */
  public static WeightSnapshot copyOf(Block block, Device device) {
    NDManager manager = NDManager.newBaseManager(device, "PyTorch");
    Map<String, NDArray> byId = new HashMap<>();
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (Pair<String, Parameter> entry : block.getParameters()) {
      NDArray copy = detachedCopy(entry.getValue().getArray(), manager);
      copy.setName(entry.getKey());
      byId.put(entry.getValue().getId(), copy);
      byName.put(entry.getKey(), copy);
    }
    return new WeightSnapshot(manager, byId, byName);
  }

  /**
   * A snapshot built from named arrays (a loaded checkpoint) for the parameters of {@code block}.
   *
   * @throws IllegalArgumentException if a parameter is missing or has the wrong shape
   */
  public static WeightSnapshot fromNamed(Block block, NDList named, Device device) {
    Map<String, NDArray> loaded = new HashMap<>();
    for (NDArray array : named) {
      loaded.put(array.getName(), array);
    }
    NDManager manager = NDManager.newBaseManager(device, "PyTorch");
    Map<String, NDArray> byId = new HashMap<>();
    Map<String, NDArray> byName = new LinkedHashMap<>();
    for (Pair<String, Parameter> entry : block.getParameters()) {
      NDArray source = loaded.get(entry.getKey());
      Parameter parameter = entry.getValue();
      if (source == null) {
        manager.close();
        throw new IllegalArgumentException("missing parameter '" + entry.getKey() + "'");
      }
      if (!source.getShape().equals(parameter.getArray().getShape())) {
        manager.close();
        throw new IllegalArgumentException(
            "parameter '"
                + entry.getKey()
                + "' has shape "
                + source.getShape()
                + ", the model expects "
                + parameter.getArray().getShape());
      }
      NDArray copy = detachedCopy(source, manager);
      copy.setName(entry.getKey());
      byId.put(parameter.getId(), copy);
      byName.put(entry.getKey(), copy);
    }
    if (loaded.size() != byName.size()) {
      manager.close();
      throw new IllegalArgumentException(
          "checkpoint has " + loaded.size() + " tensors, the model has " + byName.size());
    }
    return new WeightSnapshot(manager, byId, byName);
  }

  /**
   * Reads a checkpoint's weight file into a snapshot for the parameters of {@code block}.
   *
   * @throws CheckpointException naming the file if it is unreadable or does not fit the block
   */
  public static WeightSnapshot read(java.nio.file.Path weightsFile, Block block, Device device) {
    try (NDManager scratch = NDManager.newBaseManager(device, "PyTorch")) {
      NDList arrays = Checkpoint.readArrays(weightsFile, scratch);
      try {
        return fromNamed(block, arrays, device);
      } catch (IllegalArgumentException e) {
        throw new CheckpointException(weightsFile, e.getMessage(), e);
      }
    }
  }

  /** Overwrites the live parameters of {@code block} with this snapshot's values (rollback). */
  public void copyInto(Block block) {
    for (Pair<String, Parameter> entry : block.getParameters()) {
      NDArray source = byName.get(entry.getKey());
      if (source == null) {
        throw new IllegalArgumentException("snapshot lacks parameter '" + entry.getKey() + "'");
      }
      source.copyTo(entry.getValue().getArray());
    }
  }

  /** A parameter store that serves this snapshot's values for the block it was copied from. */
  public ParameterStore parameterStore() {
    return store;
  }

  /** Named arrays in parameter order, for writing a checkpoint. Owned by the snapshot. */
  public NDList namedArrays() {
    return new NDList(byName.values());
  }

  /** Adds a reader; fails if the snapshot was already freed. */
  public WeightSnapshot retain() {
    int previous;
    do {
      previous = references.get();
      if (previous <= 0) {
        throw new IllegalStateException("weight snapshot already released");
      }
    } while (!references.compareAndSet(previous, previous + 1));
    return this;
  }

  /** Drops a reader (or the creator's reference); frees native memory on the last release. */
  public void release() {
    if (references.decrementAndGet() == 0) {
      manager.close();
    }
  }

  private static NDArray detachedCopy(NDArray source, NDManager manager) {
    // copy a detached alias: the snapshot must never join an autograd graph
    NDArray alias = source.stopGradient();
    try {
      // duplicate() always clones; toDevice(sameDevice, true) may return an alias of the source
      NDArray copy =
          alias.getDevice().equals(manager.getDevice())
              ? alias.duplicate()
              : alias.toDevice(manager.getDevice(), true);
      NDScope.unregister(copy);
      copy.attach(manager);
      return copy;
    } finally {
      alias.close();
    }
  }

  private final class SnapshotStore extends ParameterStore {
    SnapshotStore(NDManager manager) {
      super(manager, false);
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
      if (parameter == null) {
        return null;
      }
      NDArray value = byParameterId.get(parameter.getId());
      if (value == null) {
        throw new IllegalStateException(
            "snapshot does not hold parameter '" + parameter.getName() + "'");
      }
      return value;
    }
  }
}
