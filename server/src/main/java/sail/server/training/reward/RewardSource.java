package sail.server.training.reward;

import java.util.List;

/**
 * Scores replies for the DPR route (sail-objective.md, section 3): the higher-scored of two fresh
 * samples becomes the chosen reply. Implemented by the learned {@link RewardModel}, and by {@link
 * AnnotatorRewards} over the simulated annotator for experiments; an external scorer fits too.
 */
public interface RewardSource {
  /** Scores of the items, in order; higher is better. Scales may differ between sources. */
  double[] score(List<PromptReply> items);

  /** The score of one reply. */
  default double score(String prompt, String reply) {
    return score(List.of(new PromptReply(prompt, reply)))[0];
  }

  /** Whether the first reply wins the argmax label (ties go to the first). */
  default boolean prefersFirst(String prompt, String first, String second) {
    double[] scores =
        score(List.of(new PromptReply(prompt, first), new PromptReply(prompt, second)));
    return scores[0] >= scores[1];
  }
}
