package sail.server.training.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LabelMarginTest {
  /**
   * {@code wide} pairs scored 10..(10 + wide) apart, all ordered as people did, then {@code narrow}
   * pairs scored under 1 apart, every other one the wrong way round.
   */
  private static double[] wideRightNarrowCoin(int wide, int narrow) {
    double[] gaps = new double[wide + narrow];
    for (int i = 0; i < wide; i++) {
      gaps[i] = 10 + i;
    }
    for (int i = 0; i < narrow; i++) {
      double width = 0.5 + i / (2.0 * narrow);
      gaps[wide + i] = i % 2 == 0 ? width : -width;
    }
    return gaps;
  }

  @Test
  void aModelRightOnEveryPairLabelsEveryPair() {
    double[] gaps = new double[100];
    for (int i = 0; i < gaps.length; i++) {
      gaps[i] = 0.01 * (i + 1);
    }
    LabelMargin margin = LabelMargin.calibrate(gaps, 0.6, 32);
    assertNotNull(margin);
    assertEquals(0, margin.gap());
    assertEquals(1.0, margin.coverage());
    assertEquals(1.0, margin.accuracy());
    assertTrue(margin.labels(0.3, 0.3), "no gap needed");
  }

  @Test
  void labelsOnlyThePairsItScoresFarApartWhenTheCloseOnesAreACoin() {
    // all 200: (50 + 75) / 200 = 0.625, lower bound about 0.54; the widest 100: 0.75, about 0.63
    LabelMargin margin = LabelMargin.calibrate(wideRightNarrowCoin(50, 150), 0.6, 32);
    assertNotNull(margin);
    assertEquals(0.5, margin.coverage());
    assertEquals(100, margin.pairs());
    assertEquals(75, margin.right());
    assertTrue(margin.gap() > 0.5 && margin.gap() < 1, "the 100th widest pair: " + margin.gap());
    assertTrue(margin.labels(0, 12), "far apart");
    assertTrue(margin.labels(-0.99, 0), "as far apart as the gap's pair or further");
    assertFalse(margin.labels(0.2, 0.7), "too close to call");
  }

  @Test
  void aCoinAtEveryGapLabelsNothing() {
    double[] gaps = new double[400];
    for (int i = 0; i < gaps.length; i++) {
      gaps[i] = (i % 2 == 0 ? 1 : -1) * (400 - i);
    }
    assertNull(LabelMargin.calibrate(gaps, 0.6, 32));
  }

  @Test
  void aShareOfTooFewPairsIsNotJudged() {
    // the widest quarter (12 pairs) is all right, but below the minimum of 32
    assertNull(LabelMargin.calibrate(wideRightNarrowCoin(12, 36), 0.6, 32));
    assertNull(LabelMargin.calibrate(new double[0], 0.6, 1));
  }

  @Test
  void pairsAsWideAsTheGapAreAllTakenIn() {
    // 45 pairs 5 apart (right), 35 pairs 1 apart (every other right): all 80 at 0.79 fall short
    // of 0.7 (lower bound 0.69); the widest half is 40 pairs, and the 5 more as wide as its
    // narrowest pair come with it
    double[] gaps = new double[80];
    for (int i = 0; i < 45; i++) {
      gaps[i] = 5;
    }
    for (int i = 0; i < 35; i++) {
      gaps[45 + i] = i % 2 == 0 ? 1 : -1;
    }
    LabelMargin margin = LabelMargin.calibrate(gaps, 0.7, 32);
    assertNotNull(margin);
    assertEquals(5, margin.gap());
    assertEquals(45, margin.pairs());
    assertEquals(45, margin.right());
  }
}
