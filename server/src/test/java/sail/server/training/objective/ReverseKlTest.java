package sail.server.training.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ReverseKlTest {
  @Test
  void valueIsLambdaTimesTheMeanGap() {
    double[] policy = {-1.0, -2.0, -0.5, -3.0};
    double[] ref = {-1.5, -1.0, -0.5, -2.0};
    ReverseKl term = ReverseKl.of(policy, ref, 1e-3);

    // gaps −0.5, 1, 0, 1 → mean 0.375
    assertEquals(1e-3 * 0.375, term.value(), 1e-15);
    assertArrayEquals(new double[] {-2.5e-4, -2.5e-4, -2.5e-4, -2.5e-4}, term.gradient(), 1e-18);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    double[] policy = {-1.0, -2.0, -0.5};
    double[] ref = {-1.2, -1.0, -0.7};
    ReverseKl term = ReverseKl.of(policy, ref, 0.3);
    for (int t = 0; t < policy.length; t++) {
      double[] up = policy.clone();
      double[] down = policy.clone();
      up[t] += 1e-6;
      down[t] -= 1e-6;
      double fd =
          (ReverseKl.of(up, ref, 0.3).value() - ReverseKl.of(down, ref, 0.3).value()) / 2e-6;
      assertEquals(fd, term.gradient()[t], 1e-8);
    }
  }

  @Test
  void emptyResponseContributesNothingAndLengthsMustMatch() {
    assertEquals(0, ReverseKl.of(new double[0], new double[0], 1).value());
    assertThrows(
        IllegalArgumentException.class, () -> ReverseKl.of(new double[2], new double[3], 1));
  }
}
