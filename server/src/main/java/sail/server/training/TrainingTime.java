package sail.server.training;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the trainer's time went since the process started, in seconds of wall time on its thread.
 * Tells an operator (and whoever tunes the trainer) what a step costs beside the policy update
 * itself.
 *
 * @param rewardModel the reward model's own steps and its held-out accuracy measurements
 * @param data planning each batch: reference log-probs of new pairs, fresh replies sampled from the
 *     policy and their labels
 * @param update the policy's forward pass with gradient, backward pass and optimiser step
 * @param publish publish attempts: guard samples and scores, held-out accuracy of the candidate and
 *     the served version, and the hot swap
 * @param checkpoint training checkpoints written to disk
 */
public record TrainingTime(
    double rewardModel, double data, double update, double publish, double checkpoint) {

  public static final TrainingTime ZERO = new TrainingTime(0, 0, 0, 0, 0);

  /** The parts under the names reports use, in a fixed order. */
  public Map<String, Double> fields() {
    Map<String, Double> fields = new LinkedHashMap<>();
    fields.put("reward_model", rewardModel);
    fields.put("data", data);
    fields.put("update", update);
    fields.put("publish", publish);
    fields.put("checkpoint", checkpoint);
    return fields;
  }
}
