package sail.server.training.reward;

import java.nio.file.Path;
import java.util.List;
import sail.server.model.Checkpoint;

/**
 * A reward model that learns from people's feedback in the training loop ({@link RewardLearner}):
 * the transformer ({@link RewardModel}, the default) or the words model ({@link WordRewardModel}).
 * Used from the training thread only.
 */
public interface TrainableReward extends RewardSource, AutoCloseable {
  /** The name of this kind in the configuration ({@code training.reward_model_kind}). */
  String kind();

  /**
   * One update on {@code examples} (ratings: binary cross-entropy on σ(r); choices: Bradley–Terry
   * on r_chosen − r_rejected, both averaged over the batch).
   *
   * @return the batch loss before the update
   */
  double trainStep(List<RewardExample> examples, float learningRate, double clipNorm);

  /** How many optimizer updates were applied (the optimizer's bias correction depends on it). */
  long optimizerStep();

  /** Adds this model's weights and optimizer moments to a training checkpoint. */
  void writeTo(Checkpoint.Writer checkpoint);

  /**
   * Continues from the files {@link #writeTo} wrote into {@code checkpoint}.
   *
   * @return false, changing nothing, when the checkpoint holds no model of this kind (it was
   *     written with the other kind)
   * @throws IllegalArgumentException if the files are there but do not fit this model
   */
  boolean restoreFrom(Path checkpoint, long optimizerStep);

  @Override
  void close();
}
