package sail.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TrainerVerticleTest {
  @Test
  void restKeepsTrainingWithinItsShareOfWallTime() {
    assertEquals(0, TrainerVerticle.rest(800, 1.0));
    assertEquals(800, TrainerVerticle.rest(800, 0.5));
    assertEquals(100, TrainerVerticle.rest(300, 0.75));
    // computing d of d + rest: 300 / 400 = 0.75
  }

  @Test
  void aShareOutsideTheUnitIntervalIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new TrainerVerticle(null, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new TrainerVerticle(null, 1.5, 1));
  }

  @Test
  void atLeastOneThreadIsRequired() {
    assertThrows(IllegalArgumentException.class, () -> new TrainerVerticle(null, 1, 0));
  }
}
