package sail.server.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import sail.server.task.Breakdown;
import sail.server.task.SimulatedAnnotator;

class ServedRepliesTest {
  private static final SimulatedAnnotator ANNOTATOR = SimulatedAnnotator.positiveSentiment();
  private static final String WARM = "Yes, my dear, I am very glad to see you so happy.";
  private static final String COLD = "No, it is a sad and dreadful business for us all.";
  private static final String PLAIN = "She walked to the house with her sister.";

  @Test
  void eachVersionGetsTheMeansOfItsOwnRepliesJudgements() {
    ServedReplies served = new ServedReplies(ANNOTATOR);
    served.add(2, WARM);
    served.add(0, COLD);
    served.add(0, PLAIN);
    served.add(2, PLAIN);

    List<ServedReplies.VersionSummary> summaries = served.summaries();
    assertEquals(List.of(0L, 2L), summaries.stream().map(s -> s.version()).toList());
    ServedReplies.VersionSummary base = summaries.get(0);
    ServedReplies.VersionSummary later = summaries.get(1);
    assertEquals(2, base.replies());
    Breakdown cold = ANNOTATOR.breakdown(COLD);
    Breakdown plain = ANNOTATOR.breakdown(PLAIN);
    assertEquals((cold.score() + plain.score()) / 2, base.score(), 1e-12);
    assertEquals((cold.appeal() + plain.appeal()) / 2, base.appeal(), 1e-12);
    assertEquals((cold.fluency() + plain.fluency()) / 2, base.fluency(), 1e-12);
    assertEquals((cold.length() + plain.length()) / 2, base.length(), 1e-12);
    assertEquals((cold.repetition() + plain.repetition()) / 2, base.repetition(), 1e-12);
    // the cold reply reads negative, the plain one neutral (no rated word), the warm one positive
    assertEquals(0.5, plain.appeal(), 1e-12);
    assertEquals(0.0, base.appealAboveHalf(), 0);
    assertEquals(0.5, base.appealBelowHalf(), 0);
    assertEquals(0.5, later.appealAboveHalf(), 0);
    assertEquals(0.0, later.appealBelowHalf(), 0);
    assertTrue(later.score() > base.score(), later + " vs " + base);
  }

  @Test
  void noRepliesNoSummaries() {
    assertEquals(List.of(), new ServedReplies(ANNOTATOR).summaries());
  }
}
