package sail.server.training;

/**
 * Linear warm-up to a peak, then cosine decay to a floor, as a function of training progress in [0,
 * 1] (the schedule of GPT-2-style pre-training; alignment-facts.md, "Pre-training").
 *
 * @param peak learning rate at the end of warm-up
 * @param floor learning rate at the end of training
 * @param warmupFraction share of training spent warming up
 */
public record LearningRateSchedule(double peak, double floor, double warmupFraction) {
  public LearningRateSchedule {
    if (peak <= 0 || floor < 0 || floor > peak || warmupFraction < 0 || warmupFraction >= 1) {
      throw new IllegalArgumentException("invalid learning-rate schedule");
    }
  }

  /** Learning rate at {@code progress} ∈ [0, 1]. */
  public float at(double progress) {
    double p = Math.max(0, Math.min(1, progress));
    if (p < warmupFraction) {
      return (float) (peak * Math.max(p / warmupFraction, 0.01));
    }
    double decay = (p - warmupFraction) / (1 - warmupFraction);
    return (float) (floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * decay)));
  }
}
