package sail.server.training.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DdpLabelsTest {
  @Test
  void swapFrequencyMatchesOneMinusSigmoid() {
    int draws = 200_000;
    for (double h : new double[] {-30, -8, 0, 7, 15}) {
      SplittableRandom random = new SplittableRandom(42);
      int swaps = 0;
      for (int i = 0; i < draws; i++) {
        swaps += DdpLabels.keepOrder(h, 0.1, random) ? 0 : 1;
      }
      double expected = 1 - SailLoss.sigmoid(0.1 * h);
      double sd = Math.sqrt(expected * (1 - expected) / draws);
      assertEquals(expected, (double) swaps / draws, 5 * sd + 1e-9, "h = " + h);
    }
  }

  @Test
  void sameSeedSameLabels() {
    SplittableRandom a = new SplittableRandom(3);
    SplittableRandom b = new SplittableRandom(3);
    for (int i = 0; i < 1000; i++) {
      assertEquals(DdpLabels.keepOrder(-1.5, 1, a), DdpLabels.keepOrder(-1.5, 1, b));
    }
  }

  @Test
  void resampledRowRecordsTheSwapAndReversesThePair() {
    PairLogProbs pair = new PairLogProbs(-100, -20, -60, -60); // β·h = −8: nearly always swapped
    SplittableRandom random = new SplittableRandom(5);
    int swapped = 0;
    for (int i = 0; i < 100; i++) {
      PreferenceRow row = DdpLabels.resample(pair, 0.1, random);
      assertEquals(Route.DDP, row.route());
      if (row.swapped()) {
        swapped++;
        assertEquals(pair.swapped(), row.logProbs());
        assertEquals(-pair.h(), row.logProbs().h());
      } else {
        assertEquals(pair, row.logProbs());
      }
    }
    assertTrue(swapped > 90, "swapped " + swapped + " of 100");
    assertFalse(DdpLabels.resample(pair.swapped(), 0.1, new SplittableRandom(1)).swapped());
  }
}
