package sail.loadtest.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BradleyTerryRewardsTest {
  @Test
  void theFirstWinsWithTheBradleyTerryProbability() {
    // annotator scores 0.6 and 0.5: at τ 0.1 the first wins with σ(1) ≈ 0.731
    BradleyTerryRewards rewards =
        new BradleyTerryRewards(
            items ->
                items.stream().mapToDouble(i -> "warm".equals(i.reply()) ? 0.6 : 0.5).toArray(),
            0.1,
            3);
    int wins = 0;
    int draws = 40_000;
    for (int i = 0; i < draws; i++) {
      if (rewards.prefersFirst("p", "warm", "cool")) {
        wins++;
      }
    }
    double expected = 1 / (1 + Math.exp(-1.0));
    // the binomial standard error at 40,000 draws is about 0.0022
    assertEquals(expected, wins / (double) draws, 0.01);
  }
}
