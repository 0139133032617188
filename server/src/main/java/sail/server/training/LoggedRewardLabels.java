package sail.server.training;

import java.util.List;
import sail.server.data.PreferencePair;
import sail.server.data.RatedGeneration;
import sail.server.data.Rating;
import sail.server.data.TrafficLog;
import sail.server.training.mixture.LabelStream;
import sail.server.training.reward.RewardExample;
import sail.server.training.reward.RewardLabel;

/**
 * The traffic log's feedback as the reward model's training data: every 👍/👎 on a reply (binary
 * cross-entropy) and every pairwise choice (Bradley–Terry). Unlike {@link LoggedPreferences} a
 * single rating is used on its own, without waiting for an opposite rating of the same prompt.
 * Single-turn prompts only, like the policy's rows.
 */
public final class LoggedRewardLabels {
  private LoggedRewardLabels() {}

  /** Both streams of {@code log}: ratings, then pairwise choices. */
  public static List<LabelStream<RewardLabel>> of(TrafficLog log) {
    return List.of(ratings(log), choices(log));
  }

  /** Each rating with the reply it rates, keyed by the feedback seq. */
  public static LabelStream<RewardLabel> ratings(TrafficLog log) {
    return new LogLabels<>(log::ratedGenerations, RatedGeneration::seq, LoggedRewardLabels::rating);
  }

  /** Each pairwise choice, keyed by the preference seq. */
  public static LabelStream<RewardLabel> choices(TrafficLog log) {
    return new LogLabels<>(log::preferencePairs, PreferencePair::seq, LoggedRewardLabels::choice);
  }

  private static RewardLabel rating(RatedGeneration rated) {
    String prompt = LogLabels.singleUserTurn(rated.generation().prompt());
    if (prompt == null) {
      return null;
    }
    return new RewardLabel(
        "rating",
        rated.seq(),
        new RewardExample.Rating(
            prompt, rated.generation().response(), rated.rating() == Rating.UP));
  }

  private static RewardLabel choice(PreferencePair pair) {
    String prompt = LogLabels.singleUserTurn(pair.chosen().prompt());
    if (prompt == null) {
      return null;
    }
    return new RewardLabel(
        "choice",
        pair.seq(),
        new RewardExample.Comparison(prompt, pair.chosen().response(), pair.rejected().response()));
  }
}
