package sail.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BradleyTerryRaterTest {
  private static final Map<String, Double> SCORES = Map.of("a", 0.70, "b", 0.55, "c", 0.70);

  @Test
  void probabilityIsTheLogisticOfTheScaledGap() {
    BradleyTerryRater rater = new BradleyTerryRater(SCORES::get, 0.1);

    assertEquals(1 / (1 + Math.exp(-1.5)), rater.probabilityFirst("a", "b"), 1e-12);
    assertEquals(1 / (1 + Math.exp(1.5)), rater.probabilityFirst("b", "a"), 1e-12);
    assertEquals(0.5, rater.probabilityFirst("a", "c"), 1e-12);
  }

  @Test
  void empiricalRateMatchesTheModelWithASeededSource() {
    BradleyTerryRater rater = new BradleyTerryRater(SCORES::get, 0.1);
    SplittableRandom random = new SplittableRandom(42);
    int trials = 20_000;
    int firstChosen = 0;
    for (int i = 0; i < trials; i++) {
      if (rater.judge("a", "b", random).chosen().equals("a")) {
        firstChosen++;
      }
    }

    double expected = 1 / (1 + Math.exp(-1.5)); // σ(0.15 / 0.1) ≈ 0.818
    double standardError = Math.sqrt(expected * (1 - expected) / trials);
    assertEquals(expected, firstChosen / (double) trials, 4 * standardError);
  }

  @Test
  void sameSeedSameChoices() {
    BradleyTerryRater rater = new BradleyTerryRater(SCORES::get, 0.3);
    SplittableRandom one = new SplittableRandom(9);
    SplittableRandom two = new SplittableRandom(9);
    for (int i = 0; i < 100; i++) {
      assertEquals(rater.judge("a", "b", one), rater.judge("a", "b", two));
    }
  }

  @Test
  void rejectsANonPositiveTemperature() {
    assertThrows(IllegalArgumentException.class, () -> new BradleyTerryRater(SCORES::get, 0));
    assertThrows(IllegalArgumentException.class, () -> new BradleyTerryRater(SCORES::get, -1));
  }
}
