package sail.server.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
  private static final Map<String, Double> SCORES =
      Map.of("a", 0.1, "b", 0.5, "c", 0.9, "d", 0.3, "e", 0.7);
  private static final List<String> REPLIES = List.of("a", "b", "c", "d", "e");

  @Test
  void aRaterWhoAlwaysPicksTheHigherScoreRanksTheEndsByScore() {
    BradleyTerryRater exact = new BradleyTerryRater(SCORES::get, 1e-9);
    RoundRobin.Ranking ranking = RoundRobin.rank(REPLIES, exact, new SplittableRandom(1));
    assertEquals(2, ranking.best(), "c scores highest");
    assertEquals(0, ranking.worst(), "a scores lowest");
    assertArrayEquals(new int[] {0, 2, 4, 1, 3}, ranking.wins());
  }

  @Test
  void winsSumToOneChoicePerPairAndTheEndsDiffer() {
    BradleyTerryRater coin = new BradleyTerryRater(s -> 0.5, 0.1);
    for (int seed = 0; seed < 200; seed++) {
      RoundRobin.Ranking ranking = RoundRobin.rank(REPLIES, coin, new SplittableRandom(seed));
      assertEquals(10, Arrays.stream(ranking.wins()).sum());
      assertNotEquals(ranking.best(), ranking.worst(), "seed " + seed);
      assertTrue(ranking.wins()[ranking.best()] >= ranking.wins()[ranking.worst()]);
    }
  }

  @Test
  void aThreeWayCycleStillGivesTwoDifferentEnds() {
    // equal scores: with three replies each may win one choice; the ends are then drawn at random
    BradleyTerryRater coin = new BradleyTerryRater(s -> 0.5, 0.1);
    boolean sawCycle = false;
    for (int seed = 0; seed < 200; seed++) {
      RoundRobin.Ranking ranking =
          RoundRobin.rank(List.of("x", "y", "z"), coin, new SplittableRandom(seed));
      sawCycle |= Arrays.equals(ranking.wins(), new int[] {1, 1, 1});
      assertNotEquals(ranking.best(), ranking.worst());
    }
    assertTrue(sawCycle, "200 fair round robins of three include a cycle");
  }

  @Test
  void theEndsOfANoisyRoundRobinAgreeWithTheScoreMoreOftenThanOnePairDoes() {
    // τ 0.3 over gaps of 0.2-0.8: single choices are often wrong; the ends of five rarely are
    BradleyTerryRater noisy = new BradleyTerryRater(SCORES::get, 0.3);
    SplittableRandom random = new SplittableRandom(7);
    int endsRight = 0;
    int pairRight = 0;
    int trials = 2000;
    for (int t = 0; t < trials; t++) {
      RoundRobin.Ranking ranking = RoundRobin.rank(REPLIES, noisy, random);
      endsRight +=
          SCORES.get(REPLIES.get(ranking.best())) > SCORES.get(REPLIES.get(ranking.worst()))
              ? 1
              : 0;
      pairRight += noisy.judge("b", "d", random).chosen().equals("b") ? 1 : 0;
    }
    assertTrue(endsRight > 0.95 * trials, "ends right " + endsRight);
    assertTrue(pairRight < 0.7 * trials, "pair right " + pairRight);
  }

  @Test
  void theSameSeedGivesTheSameRanking() {
    BradleyTerryRater noisy = new BradleyTerryRater(SCORES::get, 0.3);
    RoundRobin.Ranking first = RoundRobin.rank(REPLIES, noisy, new SplittableRandom(3));
    RoundRobin.Ranking second = RoundRobin.rank(REPLIES, noisy, new SplittableRandom(3));
    assertEquals(first.best(), second.best());
    assertEquals(first.worst(), second.worst());
    assertArrayEquals(first.wins(), second.wins());
  }

  @Test
  void drawOtherNeverDrawsTheExcludedReplyAndDrawsTheOthersAlike() {
    SplittableRandom random = new SplittableRandom(5);
    int[] counts = new int[5];
    for (int t = 0; t < 4000; t++) {
      counts[RoundRobin.drawOther(2, 5, random)]++;
    }
    assertEquals(0, counts[2]);
    for (int i : new int[] {0, 1, 3, 4}) {
      assertTrue(counts[i] > 900 && counts[i] < 1100, "reply " + i + ": " + counts[i]);
    }
    assertEquals(1, RoundRobin.drawOther(0, 2, random));
    assertThrows(IllegalArgumentException.class, () -> RoundRobin.drawOther(0, 1, random));
    assertThrows(IllegalArgumentException.class, () -> RoundRobin.drawOther(3, 3, random));
  }

  @Test
  void oneReplyIsNotARoundRobin() {
    BradleyTerryRater exact = new BradleyTerryRater(SCORES::get, 0.1);
    assertThrows(
        IllegalArgumentException.class,
        () -> RoundRobin.rank(List.of("a"), exact, new SplittableRandom(1)));
  }
}
