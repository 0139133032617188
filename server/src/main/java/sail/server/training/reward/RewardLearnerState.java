package sail.server.training.reward;

import java.util.List;

/**
 * What a training checkpoint keeps of the {@link RewardLearner} besides its weights and optimizer
 * moments ({@code reward.json}).
 *
 * @param steps reward-model steps taken
 * @param optimizerStep the reward optimizer's own step count (bias correction)
 * @param cursors the last id read from each feedback stream
 */
public record RewardLearnerState(long steps, long optimizerStep, List<Long> cursors) {
  public RewardLearnerState {
    cursors = List.copyOf(cursors);
  }
}
