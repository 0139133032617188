package sail.server.training.mixture;

import java.util.List;

/**
 * Labels read from the traffic log in increasing id order: pairs for DPR rows ({@link
 * FeedbackPairs}), or ratings and choices for the reward model. Implementations may be called from
 * the training thread while other threads append.
 *
 * @param <T> the label type
 */
public interface LabelStream<T> {
  /**
   * At most {@code limit} labels whose id is greater than {@code afterId}, in increasing id order.
   */
  List<T> after(long afterId, int limit);
}
