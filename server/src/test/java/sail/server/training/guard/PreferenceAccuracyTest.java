package sail.server.training.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PreferenceAccuracyTest {
  @Test
  void countsPairsWhoseImplicitRewardMarginIsPositiveAndTiesAsHalf() {
    // margins: +1 (right), −2 (wrong), 0 (tie), +0.5 (right)
    double accuracy =
        PreferenceAccuracy.of(
            new double[] {-10, -10, -10, -9.5},
            new double[] {-12, -10, -11, -12},
            new double[] {-11, -10, -10, -10},
            new double[] {-12, -12, -11, -12});
    assertEquals((1 + 0 + 0.5 + 1) / 4.0, accuracy, 1e-12);
  }

  @Test
  void theReferenceAgainstItselfScoresOneHalf() {
    double[] chosen = {-3, -7, -1};
    double[] rejected = {-4, -2, -9};
    assertEquals(0.5, PreferenceAccuracy.of(chosen, rejected, chosen, rejected), 1e-12);
  }

  @Test
  void emptyIsNotANumberAndMismatchedLengthsAreRefused() {
    assertTrue(
        Double.isNaN(
            PreferenceAccuracy.of(new double[0], new double[0], new double[0], new double[0])));
    assertThrows(
        IllegalArgumentException.class,
        () -> PreferenceAccuracy.of(new double[1], new double[2], new double[1], new double[1]));
  }
}
