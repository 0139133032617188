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
 *
 * <p>A {@link #window window} is a rectangle of rows and columns of a cache that a forward pass
 * sees as a cache of its own: a decode step runs over the rows in use and the columns from the
 * oldest row's first token, and a joining sequence's prefill writes straight into a free row, both
 * without copying the cache.
 *
 * <p>Owns its native memory (its own manager; a window owns nothing); not thread-safe — one engine
 * thread uses it.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private final int rowFrom;
  private final int batch;
  private final int columnFrom;
  private final int capacity;

  private KvCache(
      NDManager manager,
      NDArray[] keys,
      NDArray[] values,
      int rowFrom,
      int batch,
      int columnFrom,
      int capacity) {
    this.manager = manager;
    this.keys = keys;
    this.values = values;
    this.rowFrom = rowFrom;
    this.batch = batch;
    this.columnFrom = columnFrom;
    this.capacity = capacity;
  }

  /**
   * Zero-filled cache for {@code batch} rows and {@code capacity} positions. Zeros, not
   * uninitialised memory: masked columns are still multiplied by a zero attention weight, and a NaN
   * left in them would poison the row.
   */
  public static KvCache allocate(NDManager parent, Layout layout, int batch, int capacity) {
    NDManager manager = parent.newSubManager();
    Shape shape = new Shape(batch, layout.heads(), capacity, layout.headWidth());
    NDArray[] keys = new NDArray[layout.layers()];
    NDArray[] values = new NDArray[layout.layers()];
    for (int layer = 0; layer < layout.layers(); layer++) {
      keys[layer] = own(manager, manager.zeros(shape, DataType.FLOAT32));
      values[layer] = own(manager, manager.zeros(shape, DataType.FLOAT32));
    }
    return new KvCache(manager, keys, values, 0, batch, 0, capacity);
  }

  /**
   * Rows {@code [rowFrom, rowTo)} and columns from {@code columnFrom} on of this cache, seen as a
   * cache whose row 0 and column 0 are those. Shares this cache's memory: writes through the window
   * land here. Closing a window frees nothing.
   */
  public KvCache window(int rowFrom, int rowTo, int columnFrom) {
    if (rowFrom < 0 || rowTo > batch || rowFrom >= rowTo || columnFrom < 0) {
      throw new IllegalArgumentException(
          "window rows [" + rowFrom + ", " + rowTo + ") of " + batch + ", column " + columnFrom);
    }
    return new KvCache(
        null,
        keys,
        values,
        this.rowFrom + rowFrom,
        rowTo - rowFrom,
        this.columnFrom + columnFrom,
        capacity - columnFrom);
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
   * Copies columns {@code [from, to)} of row {@code sourceRow} of {@code source} into row {@code
   * targetRow} of this cache, starting at column {@code targetStart} (a sequence moving to another
   * row).
   */
  public void copyRow(
      KvCache source, int sourceRow, int from, int to, int targetRow, int targetStart) {
    try (NDScope ignored = new NDScope()) {
      int row = rowFrom + targetRow;
      int column = columnFrom + targetStart;
      NDIndex target = block(row, row + 1, column, column + to - from);
      int sRow = source.rowFrom + sourceRow;
      NDIndex columns = block(sRow, sRow + 1, source.columnFrom + from, source.columnFrom + to);
      for (int layer = 0; layer < keys.length; layer++) {
        keys[layer].set(target, source.keys[layer].get(columns));
        values[layer].set(target, source.values[layer].get(columns));
      }
    }
  }

  /**
   * Copies every column of the rows of {@code source} that {@code placement} keeps into this cache:
   * source row {@code i} lands in row {@code targetRow + placement[i]} (skipped where {@code
   * placement[i] < 0}), its column 0 at {@code targetColumn}. Kept rows must land in order on
   * consecutive rows. One copy per layer (joining sequences taking free rows).
   */
  public void copyRows(KvCache source, int[] placement, int targetRow, int targetColumn) {
    int kept = 0;
    long[] keptRows = new long[placement.length];
    for (int i = 0; i < placement.length; i++) {
      if (placement[i] >= 0) {
        if (placement[i] != kept) {
          throw new IllegalArgumentException("kept rows must land on consecutive rows in order");
        }
        keptRows[kept++] = source.rowFrom + i;
      }
    }
    if (kept == 0) {
      return;
    }
    try (NDScope ignored = new NDScope()) {
      int row = rowFrom + targetRow;
      int column = columnFrom + targetColumn;
      int width = source.capacity;
      NDIndex target = block(row, row + kept, column, column + width);
      NDIndex columns =
          new NDIndex()
              .addAllDim()
              .addAllDim()
              .addSliceDim(source.columnFrom, source.columnFrom + width);
      NDArray rows =
          kept == placement.length
              ? null
              : source.keys[0].getManager().create(java.util.Arrays.copyOf(keptRows, kept));
      for (int layer = 0; layer < keys.length; layer++) {
        keys[layer].set(target, pick(source.keys[layer], source, rows).get(columns));
        values[layer].set(target, pick(source.values[layer], source, rows).get(columns));
      }
    }
  }

  /**
   * Fills every row of this cache from rows of {@code source}, all its columns: row {@code j} of
   * this cache gets a copy of source row {@code rows[j]} (rows may repeat: one prompt's keys and
   * values shared by several sequences). One gather per layer. Neither cache may be a window, and
   * both must have the same capacity.
   */
  public void fillRows(KvCache source, int[] rows) {
    if (rows.length != batch || source.capacity != capacity || isWindow() || source.isWindow()) {
      throw new IllegalArgumentException(
          "fillRows: "
              + rows.length
              + " rows into "
              + batch
              + ", capacities "
              + source.capacity
              + " and "
              + capacity
              + " (windows are not allowed)");
    }
    long[] index = new long[rows.length];
    for (int j = 0; j < rows.length; j++) {
      if (rows[j] < 0 || rows[j] >= source.batch) {
        throw new IllegalArgumentException("source row " + rows[j] + " of " + source.batch);
      }
      index[j] = rows[j];
    }
    try (NDScope ignored = new NDScope()) {
      NDArray picked = source.keys[0].getManager().create(index);
      NDIndex all = new NDIndex().addAllDim();
      for (int layer = 0; layer < keys.length; layer++) {
        keys[layer].set(all, source.keys[layer].get(picked));
        values[layer].set(all, source.values[layer].get(picked));
      }
    }
  }

  private boolean isWindow() {
    return manager == null;
  }

  /** The source's rows: all of its window, or the listed ones. */
  private static NDArray pick(NDArray array, KvCache source, NDArray rows) {
    if (rows != null) {
      return array.get(rows);
    }
    return array.get(new NDIndex().addSliceDim(source.rowFrom, source.rowFrom + source.batch));
  }

  /**
   * Moves columns {@code [from, to)} of rows {@code [0, rows)} left by {@code shift} columns. The
   * source and target ranges must not overlap ({@code shift >= to - from}).
   */
  public void shiftLeft(int rows, int from, int to, int shift) {
    if (shift < to - from || from - shift < 0) {
      throw new IllegalArgumentException(
          "shift " + shift + " of columns [" + from + ", " + to + ") overlaps or underflows");
    }
    try (NDScope ignored = new NDScope()) {
      int r0 = rowFrom;
      int c0 = columnFrom;
      NDIndex source = block(r0, r0 + rows, c0 + from, c0 + to);
      NDIndex target = block(r0, r0 + rows, c0 + from - shift, c0 + to - shift);
      for (int layer = 0; layer < keys.length; layer++) {
        keys[layer].set(target, keys[layer].get(source));
        values[layer].set(target, values[layer].get(source));
      }
    }
  }

  /**
   * Writes keys/values {@code (batch, heads, t, headWidth)} at columns {@code [start, start+t)}.
   */
  void write(int layer, int start, NDArray k, NDArray v) {
    long t = k.getShape().get(2);
    int column = columnFrom + start;
    NDIndex columns = block(rowFrom, rowFrom + batch, column, column + t);
    keys[layer].set(columns, k);
    values[layer].set(columns, v);
  }

  /** View of the keys in columns {@code [0, end)}. */
  NDArray keys(int layer, int end) {
    return keys[layer].get(columnsUpTo(end));
  }

  /** View of the values in columns {@code [0, end)}. */
  NDArray values(int layer, int end) {
    return values[layer].get(columnsUpTo(end));
  }

  private NDIndex columnsUpTo(int end) {
    return block(rowFrom, rowFrom + batch, columnFrom, columnFrom + end);
  }

  /**
   * Rows {@code [rowStart, rowEnd)}, every head, columns {@code [columnStart, columnEnd)}. Built
   * directly rather than from an index string: a decode step takes four such indices per layer and
   * parsing them showed up at several microseconds each.
   */
  private static NDIndex block(long rowStart, long rowEnd, long columnStart, long columnEnd) {
    return new NDIndex()
        .addSliceDim(rowStart, rowEnd)
        .addAllDim()
        .addSliceDim(columnStart, columnEnd);
  }

  public int batch() {
    return batch;
  }

  public int capacity() {
    return capacity;
  }

  @Override
  public void close() {
    if (manager != null) {
      manager.close();
    }
  }

  private static NDArray own(NDManager manager, NDArray array) {
    NDScope.unregister(array);
    array.attach(manager);
    return array;
  }
}
