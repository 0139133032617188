package sail.loadtest.experiment;

import java.util.List;
import java.util.SplittableRandom;
import sail.server.training.reward.PromptReply;
import sail.server.training.reward.RewardSource;

/**
 * A reward source that labels like the simulated users choose: the argmax of its scores is a
 * Bradley–Terry draw on the annotator's scores at temperature τ, P(a over b) = σ((s_a − s_b)/τ).
 *
 * <p>Why it works (the Gumbel-max trick): with g_a, g_b independent standard Gumbel noise, (s_a/τ +
 * g_a) − (s_b/τ + g_b) is logistic around (s_a − s_b)/τ, so the first wins with exactly the
 * probability above. The experiment uses it to train on fresh samples with the users' label noise.
 */
final class BradleyTerryRewards implements RewardSource {
  private final RewardSource annotator;
  private final double temperature;
  private final SplittableRandom random;

  BradleyTerryRewards(RewardSource annotator, double temperature, long seed) {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    this.annotator = annotator;
    this.temperature = temperature;
    this.random = new SplittableRandom(seed);
  }

  @Override
  public double[] score(List<PromptReply> items) {
    double[] scores = annotator.score(items);
    for (int i = 0; i < scores.length; i++) {
      double u = Math.max(random.nextDouble(), Double.MIN_VALUE);
      scores[i] = scores[i] / temperature - Math.log(-Math.log(u));
    }
    return scores;
  }
}
