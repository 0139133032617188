package sail.loadtest.users;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sail.server.evaluation.HeadToHead;
import sail.server.evaluation.WinRate;
import sail.server.task.BradleyTerryRater;

class HiddenJudgeTest {
  static final HiddenJudge SENTIMENT = HiddenJudge.named("positive-sentiment");
  static final String WARM = "What a lovely and happy day it is, my dear friend.";
  static final String COLD = "It is a dreadful, miserable day and I hate the rain.";

  @Test
  void scoresAreDeterministicAndFollowThePreference() {
    assertEquals(SENTIMENT.score(WARM), HiddenJudge.named("positive-sentiment").score(WARM));
    assertTrue(SENTIMENT.score(WARM) > SENTIMENT.score(COLD));
    HiddenJudge family = HiddenJudge.named("family-topic");
    assertEquals("family-topic", family.preferenceName());
    assertTrue(
        family.score("My sister and her husband came to see our mother and father.")
            > family.score("The weather was fine and the road was dry all the way."));
  }

  @Test
  void thumbsUpIsABernoulliDrawWithTheScore() {
    SplittableRandom random = new SplittableRandom(1);
    double p = SENTIMENT.score(WARM);
    int n = 20_000;
    int up = 0;
    for (int i = 0; i < n; i++) {
      up += SENTIMENT.thumbsUp(WARM, random) ? 1 : 0;
    }
    // four standard errors
    assertEquals(p, up / (double) n, 4 * Math.sqrt(p * (1 - p) / n));
  }

  @Test
  void choicesFollowTheBradleyTerryProbability() {
    SplittableRandom random = new SplittableRandom(2);
    String a = "A fine, pleasant evening with good company.";
    String b = "A dull evening.";
    double p =
        1
            / (1
                + Math.exp(
                    -(SENTIMENT.score(a) - SENTIMENT.score(b))
                        / BradleyTerryRater.DEFAULT_TEMPERATURE));
    int n = 20_000;
    int first = 0;
    for (int i = 0; i < n; i++) {
      first += SENTIMENT.prefersFirst(a, b, random) ? 1 : 0;
    }
    assertEquals(p, first / (double) n, 4 * Math.sqrt(p * (1 - p) / n) + 1e-9);
  }

  @Test
  void comparesCandidateWithBaselinePromptByPrompt() {
    List<String> prompts = List.of("a", "b", "c");
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
    HeadToHead r = SENTIMENT.compare(prompts, base, candidate);
    assertEquals(new WinRate(1, 1, 1), r.winRate());
    double meanBase = base.stream().mapToDouble(SENTIMENT::score).average().orElseThrow();
    assertEquals(meanBase, r.referenceMeanScore(), 1e-12);
    assertEquals(1.0, HiddenJudge.toJson(r.referenceFluency()).getDouble("dictionary_share"), 0.2);
  }

  @Test
  void unknownPreferencesAreNamedInTheError() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HiddenJudge.named("brevity"));
    assertTrue(e.getMessage().contains("brevity"), e.getMessage());
    assertTrue(e.getMessage().contains("family-topic"), e.getMessage());
  }

  @Test
  void feedbackPolicyRejectsProbabilitiesOutsideTheUnitInterval() {
    assertThrows(IllegalArgumentException.class, () -> new FeedbackPolicy(1.5, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new FeedbackPolicy(0, -0.1, 0));
  }
}
