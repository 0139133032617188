package sail.server.training.rollout;

import java.util.List;
import java.util.Objects;

/**
 * Several replies sampled from the policy for one prompt, from which a labeller picks the pair to
 * train on (for instance the replies a reward model scores highest and lowest).
 *
 * @param index position of the prompt in the list it was generated for
 * @param prompt the prompt text
 * @param promptTokens the prompt ids the model was conditioned on (already cut to fit)
 * @param replies the sampled replies, at least two
 * @param modelVersion the policy version that generated them
 */
public record RolloutCandidates(
    int index,
    String prompt,
    int[] promptTokens,
    List<RolloutPair.Reply> replies,
    long modelVersion) {

  public RolloutCandidates {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(promptTokens, "promptTokens");
    replies = List.copyOf(replies);
    if (replies.size() < 2) {
      throw new IllegalArgumentException(
          "a pair needs at least two replies, got " + replies.size());
    }
  }

  /** Replies {@code first} and {@code second} as a pair, in that order. */
  public RolloutPair pair(int first, int second) {
    if (first == second) {
      throw new IllegalArgumentException("a pair of reply " + first + " with itself");
    }
    return new RolloutPair(
        index, prompt, promptTokens, replies.get(first), replies.get(second), modelVersion);
  }

  /**
   * The replies scored highest and lowest, as indices into {@link #replies()}, first the higher:
   * the first reply with the highest score and the first with the lowest; when every reply scored
   * the same, the first two.
   *
   * @param scores one per reply, in the order of {@link #replies()}
   */
  public int[] widest(double[] scores) {
    if (scores.length != replies.size()) {
      throw new IllegalArgumentException(
          scores.length + " scores for " + replies.size() + " replies");
    }
    int best = 0;
    int worst = 0;
    for (int r = 1; r < scores.length; r++) {
      if (scores[r] > scores[best]) {
        best = r;
      }
      if (scores[r] < scores[worst]) {
        worst = r;
      }
    }
    return best == worst ? new int[] {0, 1} : new int[] {best, worst};
  }
}
