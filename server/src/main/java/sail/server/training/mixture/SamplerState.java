package sail.server.training.mixture;

/**
 * Everything a {@link MixtureSampler} needs to continue exactly where it stopped: stored in a
 * checkpoint and restored on resume. Random draws are derived from (seed, step), so no generator
 * state is kept.
 *
 * @param step steps drawn so far
 * @param pairs position in the dataset pairs
 * @param prompts position in the prompts for fresh samples
 * @param feedbackCursors the last id read from each logged-feedback source (see {@link
 *     FeedbackPool#cursors()})
 */
public record SamplerState(
    long step,
    ShuffledCursor.Position pairs,
    ShuffledCursor.Position prompts,
    java.util.List<Long> feedbackCursors) {
  public SamplerState {
    feedbackCursors = java.util.List.copyOf(feedbackCursors);
  }
}
