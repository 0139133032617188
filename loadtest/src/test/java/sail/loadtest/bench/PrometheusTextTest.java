package sail.loadtest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  static final String TEXT =
      """
      # HELP sail_engine_decode_step_seconds engine time in decode steps
      # TYPE sail_engine_decode_step_seconds summary
      sail_engine_decode_step_seconds_count 120
      sail_engine_decode_step_seconds_sum 1.5
      sail_generations_total{api="grpc",outcome="length"} 7.0
      sail_generations_total{api="http",outcome="stop"} 3.0
      sail_odd{a="x y} z"} 2 1700000000000
      """;

  @Test
  void sumsEveryLabelSetOfAName() {
    PrometheusText p = PrometheusText.parse(TEXT);
    assertEquals(120, p.value("sail_engine_decode_step_seconds_count"));
    assertEquals(1.5, p.value("sail_engine_decode_step_seconds_sum"));
    assertEquals(10, p.value("sail_generations_total"));
    assertEquals(2, p.value("sail_odd"));
    assertTrue(p.has("sail_generations_total"));
    assertFalse(p.has("sail_engine_decode_step_seconds"));
    assertEquals(0, p.value("missing"));
  }

  @Test
  void deltasSubtractTheEarlierScrape() {
    PrometheusText before = PrometheusText.parse("a_total 2\nb 1\n");
    PrometheusText after = PrometheusText.parse("a_total 5\n");
    assertEquals(3, after.delta(before, "a_total"));
    assertEquals(-1, after.delta(before, "b"));
  }
}
