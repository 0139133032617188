package sail.server.training;

/**
 * Linear warm-up to a peak, then cosine decay to a floor (the schedule of GPT-2-style pre-training;
 * alignment-facts.md, "Pre-training").
 *
 * @param peak learning rate at the end of warm-up
 * @param floor learning rate at the last step
 * @param warmupSteps steps of linear warm-up
 * @param totalSteps steps of the whole run
 */
public record LearningRateSchedule(double peak, double floor, int warmupSteps, int totalSteps) {
  public LearningRateSchedule {
    if (totalSteps < 1 || warmupSteps < 0 || peak <= 0 || floor < 0 || floor > peak) {
      throw new IllegalArgumentException("invalid learning-rate schedule");
    }
  }

  /** Learning rate for 0-based {@code step}. */
  public float at(int step) {
    if (step < warmupSteps) {
      return (float) (peak * (step + 1) / warmupSteps);
    }
    double progress =
        Math.min(1.0, (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps));
    return (float) (floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress)));
  }
}
