package sail.server.training.mixture;

/**
 * Human-labelled pairs from logged traffic, read in id order ({@link FeedbackPair#id()}). The
 * traffic log ({@code sail.server.data}) implements it over its database; {@link
 * InMemoryFeedbackPairs} serves tests.
 */
public interface FeedbackPairs extends LabelStream<FeedbackPair> {}
