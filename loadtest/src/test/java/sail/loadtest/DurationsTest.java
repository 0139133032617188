package sail.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void readsUnitsAndBareSeconds() {
    assertEquals(Duration.ofSeconds(60), Durations.parse("60s"));
    assertEquals(Duration.ofSeconds(45), Durations.parse("45"));
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
    assertEquals(Duration.ofHours(1), Durations.parse("1h"));
  }

  @Test
  void rejectsOtherForms() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("ten seconds"));
    assertEquals(true, e.getMessage().contains("'ten seconds'"));
  }
}
