/**
 * Reward sources for the DPR route: the learned {@link sail.server.training.reward.RewardModel}
 * (trained in the policy's training loop) and the simulated annotator for experiments.
 */
package sail.server.training.reward;
