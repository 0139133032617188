package sail.server.inference;

import java.util.concurrent.atomic.AtomicLong;

/** Engine counters, summed over its lanes; all fields are safe to read from any thread. */
public final class EngineStats {
  public final AtomicLong submitted = new AtomicLong();
  public final AtomicLong rejected = new AtomicLong();
  public final AtomicLong completed = new AtomicLong();
  public final AtomicLong cancelled = new AtomicLong();
  public final AtomicLong generatedTokens = new AtomicLong();
  public final AtomicLong decodeSteps = new AtomicLong();
  public final AtomicLong decodeNanos = new AtomicLong();
  public final AtomicLong decodeRows = new AtomicLong();
  public final AtomicLong prefills = new AtomicLong();
  public final AtomicLong prefillNanos = new AtomicLong();

  void recordStep(long nanos, int rows) {
    decodeSteps.incrementAndGet();
    decodeNanos.addAndGet(nanos);
    decodeRows.addAndGet(rows);
  }

  void recordPrefill(long nanos, int sequences) {
    prefills.addAndGet(sequences);
    prefillNanos.addAndGet(nanos);
  }
}
