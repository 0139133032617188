package sail.server.training.reward;

import java.nio.file.Path;
import java.util.List;
import sail.server.model.CausalLanguageModel;
import sail.server.model.Checkpoint;
import sail.server.model.GptLanguageModel;
import sail.server.model.WeightSnapshot;

/**
 * A reward model that learns from people's feedback in the training loop ({@link RewardLearner}):
 * the words model ({@link WordRewardModel}, the default) or the transformer ({@link RewardModel}).
 * Used from the training thread only.
 */
public interface TrainableReward extends RewardSource, AutoCloseable {
  /** The kinds there are, as the configuration names them. */
  List<String> KINDS = List.of(WordRewardModel.KIND, RewardModel.KIND);

  /**
   * A fresh reward model of {@code kind}: the words model, or a transformer shaped like {@code
   * policy} whose trunk starts as a copy of {@code base} (the base policy's weights: it already
   * reads the language) with a fresh scalar head.
   *
   * @throws IllegalArgumentException for an unknown kind, or a transformer for a policy that is not
   *     a GPT
   */
  static TrainableReward create(String kind, CausalLanguageModel policy, WeightSnapshot base) {
    if (WordRewardModel.KIND.equals(kind)) {
      return WordRewardModel.create();
    }
    if (!RewardModel.KIND.equals(kind)) {
      throw new IllegalArgumentException(
          "unknown reward model kind '" + kind + "'; expected one of " + String.join(", ", KINDS));
    }
    if (!(policy instanceof GptLanguageModel gpt)) {
      throw new IllegalArgumentException(
          "no transformer reward model for a " + policy.architecture() + " policy");
    }
    RewardModel transformer = RewardModel.create(gpt.config(), gpt.tokenizer(), gpt.device());
    transformer.initializeTrunkFrom(base);
    return transformer;
  }

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
