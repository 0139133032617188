package sail.server.evaluation;

import java.util.ArrayList;
import java.util.List;
import sail.server.training.reward.PromptReply;
import sail.server.training.reward.RewardSource;

/**
 * The judge's verdict on one reply of each side per prompt: the candidate wins a prompt when the
 * judge scores its reply higher, ties when the scores are equal. Pure given the judge.
 *
 * @param winRate wins, ties and losses of the candidate
 * @param meanScore the judge's mean score of the candidate's replies
 * @param referenceMeanScore the judge's mean score of the reference's replies
 * @param fluency the candidate's replies
 * @param referenceFluency the reference's replies (distinct words counted over as many words as the
 *     candidate's)
 */
public record HeadToHead(
    WinRate winRate,
    double meanScore,
    double referenceMeanScore,
    Fluency fluency,
    Fluency referenceFluency) {

  /**
   * Judges {@code candidate.get(i)} against {@code reference.get(i)}, both replies to {@code
   * prompts.get(i)}.
   */
  public static HeadToHead judge(
      List<String> prompts, List<String> candidate, List<String> reference, RewardSource judge) {
    int n = prompts.size();
    if (candidate.size() != n || reference.size() != n) {
      throw new IllegalArgumentException(
          n + " prompts, " + candidate.size() + " and " + reference.size() + " replies");
    }
    // one call for both sides, so a batched judge (a reward model) scores them together
    List<PromptReply> items = new ArrayList<>(2 * n);
    for (int i = 0; i < n; i++) {
      items.add(new PromptReply(prompts.get(i), candidate.get(i)));
      items.add(new PromptReply(prompts.get(i), reference.get(i)));
    }
    double[] scores = judge.score(items);
    WinRate winRate = new WinRate(0, 0, 0);
    double candidateSum = 0;
    double referenceSum = 0;
    for (int i = 0; i < n; i++) {
      winRate = winRate.plus(Double.compare(scores[2 * i], scores[2 * i + 1]));
      candidateSum += scores[2 * i];
      referenceSum += scores[2 * i + 1];
    }
    List<Fluency> fluency = Fluency.compared(candidate, reference);
    return new HeadToHead(
        winRate,
        n == 0 ? Double.NaN : candidateSum / n,
        n == 0 ? Double.NaN : referenceSum / n,
        fluency.get(0),
        fluency.get(1));
  }
}
