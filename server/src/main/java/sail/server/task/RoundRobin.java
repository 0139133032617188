package sail.server.task;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Ranks several replies to one prompt by a rater's pairwise choices: every pair is judged once (a
 * round robin) and the replies are ordered by the choices they won (Copeland's method). Preference
 * datasets are often built this way — several replies per prompt, each rated, the best kept against
 * another of them (UltraFeedback's "binarised" pairs, Cui et al. 2023, take it against one drawn at
 * random: {@link #drawOther}) or against the worst — because the best of several is ordered right
 * more often, and further from the other side, than either of two replies taken as they come. Only
 * the rater's choices decide: the score behind them stays hidden. Pure: the random source is an
 * argument.
 */
public final class RoundRobin {
  private RoundRobin() {}

  /**
   * The outcome of one round robin.
   *
   * @param best index of the reply that won the most choices
   * @param worst index of the reply that won the fewest (never {@code best})
   * @param wins choices each reply won; they sum to n·(n − 1)/2
   */
  public record Ranking(int best, int worst, int[] wins) {}

  /**
   * Judges every pair (i, j), i &lt; j, of {@code replies} in that order, one draw of {@code
   * random} each, then breaks ties for the most and the fewest wins with further draws.
   *
   * @param replies two or more distinct replies to one prompt
   */
  public static Ranking rank(
      List<String> replies, BradleyTerryRater rater, RandomGenerator random) {
    int n = replies.size();
    if (n < 2) {
      throw new IllegalArgumentException("a round robin needs two or more replies, got " + n);
    }
    int[] wins = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        String first = replies.get(i);
        BradleyTerryRater.Judgement judgement = rater.judge(first, replies.get(j), random);
        wins[judgement.chosen().equals(first) ? i : j]++;
      }
    }
    int best = pick(wins, -1, true, random);
    int worst = pick(wins, best, false, random);
    return new Ranking(best, worst, wins);
  }

  /**
   * One of the {@code n} replies other than {@code excluded}, each as likely: the rejected side of
   * a binarised pair (the winner against a reply as it comes, not against the loser).
   */
  public static int drawOther(int excluded, int n, RandomGenerator random) {
    if (n < 2 || excluded < 0 || excluded >= n) {
      throw new IllegalArgumentException(
          "need two or more replies and an index among them, got " + excluded + " of " + n);
    }
    int other = random.nextInt(n - 1);
    return other >= excluded ? other + 1 : other;
  }

  /** A random one of the replies (other than {@code excluded}) with the most or fewest wins. */
  private static int pick(int[] wins, int excluded, boolean most, RandomGenerator random) {
    List<Integer> tied = new ArrayList<>();
    int target = most ? Integer.MIN_VALUE : Integer.MAX_VALUE;
    for (int i = 0; i < wins.length; i++) {
      if (i == excluded) {
        continue;
      }
      if (most ? wins[i] > target : wins[i] < target) {
        target = wins[i];
        tied.clear();
      }
      if (wins[i] == target) {
        tied.add(i);
      }
    }
    return tied.get(random.nextInt(tied.size()));
  }
}
