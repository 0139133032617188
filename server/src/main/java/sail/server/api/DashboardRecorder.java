package sail.server.api;

import java.util.concurrent.atomic.AtomicLong;
import sail.server.metrics.ServingMetrics;
import sail.server.metrics.ServingWindow;
import sail.server.training.SailTrainer;
import sail.server.training.TrainingLoop;

/**
 * Samples the server for the dashboard once a period, the way a Prometheus scrape would, and keeps
 * the recent past in two {@link RecentHistory} buffers: one {@link Sample} per period and one
 * {@link Publish} per publish attempt of the trainer, numbered in one sequence.
 *
 * <p>It only reads what the server already exposes (status, serving meters, the trainer's last step
 * and publish reports), so serving and training are untouched by it. A trainer faster than the
 * period shows only the last of the steps taken within one period.
 *
 * <p>{@link #sample} is called by one timer, never concurrently; the histories may be read from any
 * thread.
 */
final class DashboardRecorder {
  /**
   * One sampling period.
   *
   * @param serving throughput and latency of the period that ended at {@code timeMillis}
   * @param trainingState {@code null} when training is off or not started yet
   * @param step the trainer's step count (0 when training is off)
   * @param newStep the report of the last step taken within the period, or {@code null} when none
   *     finished
   */
  record Sample(
      long timeMillis,
      long modelVersion,
      int queued,
      int active,
      ServingWindow serving,
      TrainingLoop.State trainingState,
      long step,
      SailTrainer.StepReport newStep) {}

  /** A publish attempt, seen at {@code timeMillis}; the report says whether it passed. */
  record Publish(long timeMillis, SailTrainer.PublishReport report) {}

  private final GenerationService service;
  private final AtomicLong numbers = new AtomicLong();
  private final RecentHistory<Sample> samples;
  private final RecentHistory<Publish> publishes;
  private ServingMetrics.Totals lastTotals;
  private long lastNanos;
  // reports are immutable and made once per event, so identity tells a new one from the last seen
  private SailTrainer.StepReport lastStepSeen;
  private SailTrainer.PublishReport lastPublishSeen;

  /** Takes the baseline for the first period at {@code nowNanos}. */
  DashboardRecorder(
      GenerationService service, int sampleCapacity, int publishCapacity, long nowNanos) {
    this.service = service;
    this.samples = new RecentHistory<>(sampleCapacity, numbers);
    this.publishes = new RecentHistory<>(publishCapacity, numbers);
    this.lastTotals = service.metrics().totals();
    this.lastNanos = nowNanos;
  }

  /** The number of the newest sample or publish (0 before the first); a restart starts over. */
  long lastSeq() {
    return numbers.get();
  }

  RecentHistory<Sample> samples() {
    return samples;
  }

  RecentHistory<Publish> publishes() {
    return publishes;
  }

  /** Records the period that ends now; appends a sample and, if the trainer published, that. */
  void sample(long nowNanos, long nowMillis) {
    ServingMetrics.Totals totals = service.metrics().totals();
    double seconds = (nowNanos - lastNanos) / 1e9;
    if (seconds <= 0) {
      return;
    }
    ServingWindow window = ServingWindow.between(lastTotals, totals, seconds);
    lastTotals = totals;
    lastNanos = nowNanos;

    GenerationService.Status status = service.status();
    TrainingLoop loop = service.training();
    TrainingLoop.Status training = loop == null ? null : loop.status();
    SailTrainer.StepReport newStep = null;
    if (training != null && training.lastStep() != lastStepSeen) {
      newStep = training.lastStep();
      lastStepSeen = newStep;
    }
    samples.add(
        new Sample(
            nowMillis,
            status.modelVersion(),
            status.queued(),
            status.active(),
            window,
            training == null ? null : training.state(),
            training == null ? 0 : training.step(),
            newStep));
    if (training != null
        && training.lastPublish() != null
        && training.lastPublish() != lastPublishSeen) {
      lastPublishSeen = training.lastPublish();
      publishes.add(new Publish(nowMillis, lastPublishSeen));
    }
  }
}
