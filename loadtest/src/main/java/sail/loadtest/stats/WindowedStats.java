package sail.loadtest.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-window statistics: a request counts in the window in which it finished. This is the seam for
 * reports over time (throughput, latency, errors and model versions per window; later the hidden
 * score of served replies). Not thread-safe; {@link RunStats} guards it.
 */
public final class WindowedStats {
  private final long windowNanos;
  private final List<IntervalStats> windows = new ArrayList<>();

  public WindowedStats(Duration window) {
    if (window.isZero() || window.isNegative()) {
      throw new IllegalArgumentException("window must be positive, got " + window);
    }
    this.windowNanos = window.toNanos();
  }

  /** Adds a request that finished {@code endOffsetNanos} after the start of the run. */
  public void add(long endOffsetNanos, Outcome outcome) {
    int index = (int) (Math.max(0, endOffsetNanos) / windowNanos);
    while (windows.size() <= index) {
      windows.add(new IntervalStats());
    }
    windows.get(index).add(outcome);
  }

  /**
   * One object per window from the start of the run: {@code t_s} (window start) and {@code
   * duration_s} (shorter for the last window when the run ended inside it) beside the {@link
   * IntervalStats#toJson} fields.
   */
  public JsonArray toJson(double elapsedSeconds) {
    JsonArray out = new JsonArray();
    double window = windowNanos / 1e9;
    for (int i = 0; i < windows.size(); i++) {
      double start = i * window;
      double length = Math.max(1e-9, Math.min(window, elapsedSeconds - start));
      JsonObject fields = new JsonObject().put("t_s", start).put("duration_s", length);
      out.add(fields.mergeIn(windows.get(i).toJson(length)));
    }
    return out;
  }
}
