package sail.server.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every attention layer for a batch of sequences that share one time axis.
 *
 * <p>Layout per layer: {@code (batch, heads, capacity, headWidth)}. All rows are written at the
 * same column each step, so a decode step writes one column in place instead of copying the whole
 * cache; rows that started later are left-padded and the padding is masked by the attention bias.
 * Owns its native memory (its own manager); not thread-safe — one engine thread uses it.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private final int batch;
  private final int capacity;

  private KvCache(NDManager manager, NDArray[] keys, NDArray[] values, int batch, int capacity) {
    this.manager = manager;
    this.keys = keys;
    this.values = values;
    this.batch = batch;
    this.capacity = capacity;
  }

  /** Zero-filled cache for {@code batch} rows and {@code capacity} positions. */
  public static KvCache allocate(NDManager parent, Layout layout, int batch, int capacity) {
    NDManager manager = parent.newSubManager();
    Shape shape = new Shape(batch, layout.heads(), capacity, layout.headWidth());
    NDArray[] keys = new NDArray[layout.layers()];
    NDArray[] values = new NDArray[layout.layers()];
    for (int layer = 0; layer < layout.layers(); layer++) {
      keys[layer] = own(manager, manager.zeros(shape, DataType.FLOAT32));
      values[layer] = own(manager, manager.zeros(shape, DataType.FLOAT32));
    }
    return new KvCache(manager, keys, values, batch, capacity);
  }

  /**
   * A new cache holding the given rows of {@code sources}, each source's columns {@code [0,
   * length)} moved right by a per-source shift. Used when sequences join or leave a running batch.
   *
   * @param parts for each source: the cache, the rows to keep (in order), the column range to keep
   *     and the column at which that range lands
   */
  public static KvCache assemble(
      NDManager parent, Layout layout, int capacity, java.util.List<Part> parts) {
    int rows = parts.stream().mapToInt(p -> p.rows().length).sum();
    KvCache result = allocate(parent, layout, rows, capacity);
    try (NDScope ignored = new NDScope()) {
      int rowOffset = 0;
      for (Part part : parts) {
        int n = part.rows().length;
        int length = part.to() - part.from();
        if (n > 0 && length > 0) {
          NDArray rowIndex = result.manager.create(toLongs(part.rows()));
          for (int layer = 0; layer < layout.layers(); layer++) {
            NDIndex target =
                new NDIndex(
                    "{}:{}, :, {}:{}",
                    rowOffset,
                    rowOffset + n,
                    part.shift(),
                    part.shift() + length);
            NDIndex source = new NDIndex(":, :, {}:{}", part.from(), part.to());
            result.keys[layer].set(target, part.cache().keys[layer].get(rowIndex).get(source));
            result.values[layer].set(target, part.cache().values[layer].get(rowIndex).get(source));
          }
        }
        rowOffset += n;
      }
    }
    return result;
  }

  /**
   * Shape of the cache of one model: attention layers, heads per layer and width per head.
   *
   * @param layers attention layers
   * @param heads key/value heads per layer
   * @param headWidth width of each head
   */
  public record Layout(int layers, int heads, int headWidth) {}

  /**
   * Rows of a source cache placed into an assembled cache.
   *
   * @param cache source
   * @param rows source row indices to keep
   * @param from first source column to keep
   * @param to end (exclusive) of the source columns to keep
   * @param shift target column of source column {@code from}
   */
  public record Part(KvCache cache, int[] rows, int from, int to, int shift) {}

  /**
   * Copies columns {@code [from, to)} of row {@code sourceRow} of {@code source} into row {@code
   * targetRow} of this cache, starting at column {@code targetStart} (a joining sequence taking a
   * free row in place).
   */
  public void copyRow(
      KvCache source, int sourceRow, int from, int to, int targetRow, int targetStart) {
    try (NDScope ignored = new NDScope()) {
      NDIndex target =
          new NDIndex(
              "{}:{}, :, {}:{}", targetRow, targetRow + 1, targetStart, targetStart + to - from);
      NDIndex columns = new NDIndex("{}:{}, :, {}:{}", sourceRow, sourceRow + 1, from, to);
      for (int layer = 0; layer < keys.length; layer++) {
        keys[layer].set(target, source.keys[layer].get(columns));
        values[layer].set(target, source.values[layer].get(columns));
      }
    }
  }

  /**
   * Writes keys/values {@code (batch, heads, t, headWidth)} at columns {@code [start, start+t)}.
   */
  void write(int layer, int start, NDArray k, NDArray v) {
    long t = k.getShape().get(2);
    NDIndex columns = new NDIndex(":, :, {}:{}", start, start + t);
    keys[layer].set(columns, k);
    values[layer].set(columns, v);
  }

  /** View of the keys in columns {@code [0, end)}. */
  NDArray keys(int layer, int end) {
    return keys[layer].get(new NDIndex(":, :, :{}", end));
  }

  /** View of the values in columns {@code [0, end)}. */
  NDArray values(int layer, int end) {
    return values[layer].get(new NDIndex(":, :, :{}", end));
  }

  public int batch() {
    return batch;
  }

  public int capacity() {
    return capacity;
  }

  @Override
  public void close() {
    manager.close();
  }

  private static NDArray own(NDManager manager, NDArray array) {
    NDScope.unregister(array);
    array.attach(manager);
    return array;
  }

  private static long[] toLongs(int[] ints) {
    long[] out = new long[ints.length];
    for (int i = 0; i < ints.length; i++) {
      out[i] = ints[i];
    }
    return out;
  }
}
