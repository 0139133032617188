package sail.server.training.mixture;

import java.util.List;

/**
 * Human-labelled pairs from logged traffic, read in id order. The traffic log ({@code
 * sail.server.data}) implements it over its database; {@link InMemoryFeedbackPairs} serves tests.
 * Implementations may be called from the training thread while other threads append.
 */
public interface FeedbackPairs {
  /**
   * At most {@code limit} pairs whose id is greater than {@code afterId}, in increasing id order.
   */
  List<FeedbackPair> after(long afterId, int limit);
}
