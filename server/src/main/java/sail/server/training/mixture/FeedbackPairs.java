package sail.server.training.mixture;

/**
 * Human-labelled pairs from logged traffic, read in id order ({@link FeedbackPair#id()}). The
 * traffic log ({@code sail.server.data}) implements it over its database; {@link
 * InMemoryFeedbackPairs} serves tests.
 */
public interface FeedbackPairs extends LabelStream<FeedbackPair> {
  /**
   * A stream that holds nothing: stands in for a source a preset does not train on, so that the
   * checkpointed cursors keep one entry per source whatever the preset (a restart may change it).
   */
  FeedbackPairs NONE = (afterId, limit) -> java.util.List.of();
}
