package sail.loadtest.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import sail.loadtest.users.HiddenJudge;
import sail.server.evaluation.WinRate;
import sail.server.task.WordDictionary;

class HeadToHeadTest {
  static final HiddenJudge JUDGE = HiddenJudge.named("positive-sentiment");
  static final WordDictionary DICTIONARY = WordDictionary.load();

  @Test
  void countsWinsTiesAndLossesPromptByPrompt() {
    List<String> base =
        List.of(
            "It was a dreadful and miserable evening.",
            "The house stood at the end of the lane.",
            "She was glad to see him again.");
    List<String> candidate =
        List.of(
            "It was a lovely and happy evening with friends.",
            "The house stood at the end of the lane.",
            "She was sad and angry to see him again.");
    HeadToHead.Result r = HeadToHead.compare(base, candidate, JUDGE, DICTIONARY);
    assertEquals(new WinRate(1, 1, 1), r.winRate());
    double meanBase = base.stream().mapToDouble(JUDGE::score).average().orElseThrow();
    assertEquals(meanBase, r.meanScoreBase(), 1e-12);
  }

  @Test
  void degeneratedRepliesFailTheFluencyCheck() {
    List<String> base =
        List.of(
            "I am sure you will like the house very much.",
            "He said that the weather was fine today.");
    List<String> hacked = List.of("happy happy happy happy happy", "good good good good good");
    HeadToHead.Fluency b = HeadToHead.Fluency.of(base, DICTIONARY);
    HeadToHead.Fluency h = HeadToHead.Fluency.of(hacked, DICTIONARY);
    assertEquals(0.0, b.repetitionRate());
    assertEquals(1.0, h.repetitionRate());
    assertTrue(b.within(b, 0.10));
    assertFalse(h.within(b, 0.10));
  }

  @Test
  void repliesMustPairUp() {
    assertThrows(
        IllegalArgumentException.class,
        () -> HeadToHead.compare(List.of("a"), List.of(), JUDGE, DICTIONARY));
  }
}
