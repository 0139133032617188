package sail.server.training.reward;

import java.util.List;
import java.util.Objects;
import sail.server.task.SimulatedAnnotator;

/**
 * The simulated annotator as a reward source, for experiments: the hidden score in [0, 1] that the
 * task's "people" judge by. It looks at the reply only; the prompt is ignored.
 */
public final class AnnotatorRewards implements RewardSource {
  private final SimulatedAnnotator annotator;

  public AnnotatorRewards(SimulatedAnnotator annotator) {
    this.annotator = Objects.requireNonNull(annotator, "annotator");
  }

  @Override
  public double[] score(List<PromptReply> items) {
    double[] scores = new double[items.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = annotator.score(items.get(i).reply());
    }
    return scores;
  }
}
