package sail.server.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import sail.server.training.reward.RewardSource;

class HeadToHeadTest {
  /** Longer replies score higher. */
  static final RewardSource LENGTH =
      items -> items.stream().mapToDouble(item -> item.reply().length()).toArray();

  @Test
  void eachPromptIsAWinATieOrALossByTheJudgesScores() {
    HeadToHead result =
        HeadToHead.judge(
            List.of("a", "b", "c", "d"),
            List.of("long reply", "same", "x", "longer one"),
            List.of("short", "same", "xyz", "tiny"),
            LENGTH);

    assertEquals(new WinRate(2, 1, 1), result.winRate());
    assertEquals((10 + 4 + 1 + 10) / 4.0, result.meanScore(), 1e-12);
    assertEquals((5 + 4 + 3 + 4) / 4.0, result.referenceMeanScore(), 1e-12);
  }

  @Test
  void fluencyIsMeasuredOnEachSidesOwnReplies() {
    HeadToHead result =
        HeadToHead.judge(
            List.of("p", "q"),
            List.of("happy happy happy day", "happy happy happy"),
            List.of("a fine day today", "we walked to town"),
            LENGTH);

    assertEquals(new Fluency(2, 1.0, 2 / 7.0, 7, 2 / 7.0, 1.0), result.fluency());
    assertEquals(new Fluency(2, 0.0, 1.0, 7, 1.0, 1.0), result.referenceFluency());
    assertTrue(result.referenceFluency().within(result.referenceFluency(), 0.10));
    assertFalse(result.fluency().within(result.referenceFluency(), 0.10));
  }

  @Test
  void distinctWordsAreCountedOverEquallyManyWordsOnBothSides() {
    // the same varied vocabulary (a cycle of 60 words), replies twice as long on one side
    List<String> reference = cyclingReplies(20, 4);
    List<String> longer = cyclingReplies(20, 8);
    List<Fluency> fluency = Fluency.compared(longer, reference);

    assertEquals(80, fluency.get(0).comparedWords());
    assertEquals(60 / 80.0, fluency.get(0).distinctWordRatio(), 1e-12);
    assertEquals(60 / 80.0, fluency.get(1).distinctWordRatio(), 1e-12);
    assertEquals(60 / 160.0, fluency.get(0).pooledDistinctWordRatio(), 1e-12);
    assertTrue(fluency.get(0).within(fluency.get(1), 0.10));

    // a narrowed vocabulary still fails, whatever the length
    List<String> narrowed = java.util.Collections.nCopies(20, "so glad and so very glad today");
    List<Fluency> collapsed = Fluency.compared(narrowed, reference);
    assertEquals(5 / 80.0, collapsed.get(0).distinctWordRatio(), 1e-12);
    assertFalse(collapsed.get(0).within(collapsed.get(1), 0.10));
  }

  private static List<String> cyclingReplies(int replies, int wordsEach) {
    List<String> out = new java.util.ArrayList<>();
    int next = 0;
    for (int r = 0; r < replies; r++) {
      StringBuilder reply = new StringBuilder();
      for (int w = 0; w < wordsEach; w++) {
        int id = next++ % 60;
        reply
            .append(w == 0 ? "" : " ")
            .append((char) ('a' + id / 26))
            .append((char) ('a' + id % 26));
      }
      out.add(reply.toString());
    }
    return out;
  }

  @Test
  void everyPromptNeedsOneReplyFromEachSide() {
    assertThrows(
        IllegalArgumentException.class,
        () -> HeadToHead.judge(List.of("p"), List.of("a", "b"), List.of("c"), LENGTH));
  }

  @Test
  void judgesAreNamedByTheAnnotatorsPreference() {
    RewardSource sentiment = Judges.annotator("annotator:positive-sentiment");
    String warm = "What a lovely and happy day it was for all of us.";
    String cold = "What a horrible and miserable day it was for all of us.";
    assertEquals(true, sentiment.prefersFirst("p", warm, cold));

    RewardSource family = Judges.annotator("annotator:topic:family");
    String sister = "My sister and her husband came to the house for dinner.";
    String weather = "The weather was cold and the road was long for the horses.";
    assertEquals(true, family.prefersFirst("p", sister, weather));
    Judges.validate("annotator:family-topic");

    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> Judges.validate("annotator:topic:war"));
    assertEquals(true, unknown.getMessage().contains("annotator:topic:war"));
    assertThrows(IllegalArgumentException.class, () -> Judges.validate("reward-model"));
  }
}
