package sail.server.training.mixture;

/**
 * Everything a {@link MixtureSampler} needs to continue exactly where it stopped: stored in a
 * checkpoint and restored on resume. Random draws are derived from (seed, step), so no generator
 * state is kept.
 *
 * @param step steps drawn so far
 * @param pairs position in the dataset pairs
 * @param prompts position in the prompts for fresh samples
 * @param lastFeedbackId id of the last logged pair used (0 before any)
 */
public record SamplerState(
    long step,
    ShuffledCursor.Position pairs,
    ShuffledCursor.Position prompts,
    long lastFeedbackId) {
  public static final SamplerState START =
      new SamplerState(0, ShuffledCursor.Position.START, ShuffledCursor.Position.START, 0);
}
