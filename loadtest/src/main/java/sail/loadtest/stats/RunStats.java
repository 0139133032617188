package sail.loadtest.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/** Thread-safe collector of a run's outcomes: totals plus per-window statistics. */
public final class RunStats {
  private final IntervalStats total = new IntervalStats();
  private final WindowedStats windows;

  public RunStats(Duration window) {
    this.windows = new WindowedStats(window);
  }

  /** Records a request that finished {@code endOffsetNanos} after the start of the run. */
  public synchronized void record(long endOffsetNanos, Outcome outcome) {
    total.add(outcome);
    windows.add(endOffsetNanos, outcome);
  }

  public synchronized long succeeded() {
    return total.succeeded();
  }

  public synchronized long errors() {
    return total.errors();
  }

  public synchronized long refused() {
    return total.refused();
  }

  public synchronized long tokens() {
    return total.tokens();
  }

  public synchronized double meanLatencyMillis() {
    return total.meanLatencyMillis();
  }

  public synchronized JsonObject totalsJson(double elapsedSeconds) {
    return total.toJson(elapsedSeconds);
  }

  public synchronized JsonArray windowsJson(double elapsedSeconds) {
    return windows.toJson(elapsedSeconds);
  }
}
