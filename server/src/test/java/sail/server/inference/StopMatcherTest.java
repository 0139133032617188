package sail.server.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {
  @Test
  void stopSequenceSplitAcrossDeltasIsNeverEmitted() {
    StopMatcher matcher = new StopMatcher(List.of("END"));
    StringBuilder out = new StringBuilder();
    for (String delta : List.of("Hello ", "E", "N", "D", " more")) {
      out.append(matcher.push(delta));
    }
    assertTrue(matcher.matched());
    assertEquals("Hello ", out.toString());
    assertEquals("Hello ", matcher.text());
  }

  @Test
  void heldBackTextIsReleasedWhenItIsNotAStop() {
    StopMatcher matcher = new StopMatcher(List.of("END"));
    StringBuilder out = new StringBuilder();
    for (String delta : List.of("a", "E", "N", "x")) {
      out.append(matcher.push(delta));
    }
    out.append(matcher.finish());
    assertFalse(matcher.matched());
    assertEquals("aENx", out.toString());
  }

  @Test
  void withoutStopsEverythingStreamsImmediately() {
    StopMatcher matcher = new StopMatcher(List.of());
    assertEquals("abc", matcher.push("abc"));
    assertEquals("", matcher.finish());
  }
}
