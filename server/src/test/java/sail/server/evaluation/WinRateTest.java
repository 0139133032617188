package sail.server.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WinRateTest {
  @Test
  void tiesCountHalf() {
    WinRate r = new WinRate(120, 40, 40);
    assertEquals(200, r.comparisons());
    assertEquals(0.7, r.rate(), 1e-12);
    assertEquals(0.2, r.tieRate(), 1e-12);
    assertEquals(0.75, r.decisiveRate(), 1e-12);
  }

  @Test
  void intervalMatchesHandComputedNormalApproximation() {
    // scores: 120 ones, 40 halves, 40 zeros; mean 0.7
    // squared deviations: 120·0.09 + 40·0.04 + 40·0.49 = 10.8 + 1.6 + 19.6 = 32.0
    // s² = 32 / 199; se = sqrt(s² / 200) = 0.0283552...
    double se = Math.sqrt(32.0 / 199 / 200);
    double[] ci = new WinRate(120, 40, 40).ci95();
    assertEquals(0.7 - 1.959963984540054 * se, ci[0], 1e-12);
    assertEquals(0.7 + 1.959963984540054 * se, ci[1], 1e-12);
    assertEquals(0.6444, ci[0], 1e-4);
  }

  @Test
  void withoutTiesTheIntervalIsCloseToWilson() {
    WinRate r = new WinRate(130, 0, 70);
    double[] ci = r.ci95();
    // Wilson 95% interval of 130/200: [0.5816, 0.7127]
    assertEquals(0.5816, ci[0], 0.005);
    assertEquals(0.7127, ci[1], 0.005);
  }

  @Test
  void intervalIsClippedAndDegenerateCasesAreNaN() {
    double[] all = new WinRate(50, 0, 0).ci95();
    assertEquals(1.0, all[0], 1e-12);
    assertEquals(1.0, all[1], 1e-12);
    assertTrue(Double.isNaN(new WinRate(1, 0, 0).ci95()[0]));
    assertTrue(Double.isNaN(new WinRate(0, 0, 0).rate()));
    assertTrue(Double.isNaN(new WinRate(0, 3, 0).decisiveRate()));
  }

  @Test
  void plusCountsBySign() {
    WinRate r = new WinRate(0, 0, 0).plus(3).plus(0).plus(-1).plus(1);
    assertEquals(new WinRate(2, 1, 1), r);
  }

  @Test
  void negativeCountsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new WinRate(-1, 0, 0));
  }
}
