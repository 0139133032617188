package sail.server.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
  private static final float[] LOGITS = {1.0f, 3.0f, 2.0f, 0.5f, 2.9f};
  private static final Sampler.Allowed ALL = id -> true;

  private static SamplingParams params(double temperature, int topK, double topP) {
    return new SamplingParams(temperature, topK, topP, 10, List.of(), 0);
  }

  @Test
  void temperatureZeroIsArgmax() {
    Sampler.Choice choice =
        Sampler.sample(LOGITS, 0, 5, params(0, 0, 1), ALL, new SplittableRandom(1));
    assertEquals(1, choice.token());
  }

  @Test
  void topKOneEqualsGreedyForEverySeed() {
    for (long seed = 0; seed < 50; seed++) {
      Sampler.Choice choice =
          Sampler.sample(LOGITS, 0, 5, params(1.5, 1, 1), ALL, new SplittableRandom(seed));
      assertEquals(1, choice.token());
    }
  }

  @Test
  void tinyTopPKeepsOnlyTheMostLikelyToken() {
    for (long seed = 0; seed < 50; seed++) {
      assertEquals(
          1,
          Sampler.sample(LOGITS, 0, 5, params(1, 0, 0.01), ALL, new SplittableRandom(seed))
              .token());
    }
  }

  @Test
  void logProbIsUnderTheUnfilteredModel() {
    double normalizer = 0;
    for (float logit : LOGITS) {
      normalizer += Math.exp(logit);
    }
    Sampler.Choice choice =
        Sampler.sample(LOGITS, 0, 5, params(0, 0, 1), ALL, new SplittableRandom(1));
    assertEquals(3.0 - Math.log(normalizer), choice.logProb(), 1e-6);
  }

  @Test
  void disallowedTokensAreNeverChosen() {
    Sampler.Allowed noOne = id -> id != 1;
    for (long seed = 0; seed < 200; seed++) {
      assertNotEquals(
          1,
          Sampler.sample(LOGITS, 0, 5, params(2, 0, 1), noOne, new SplittableRandom(seed)).token());
    }
    assertEquals(4, Sampler.sample(LOGITS, 0, 5, params(0, 0, 1), noOne, null).token());
  }

  @Test
  void samplingFrequenciesFollowTheSoftmax() {
    int[] counts = new int[5];
    SplittableRandom random = new SplittableRandom(42);
    int draws = 40_000;
    for (int i = 0; i < draws; i++) {
      counts[Sampler.sample(LOGITS, 0, 5, params(1, 0, 1), ALL, random).token()]++;
    }
    double normalizer = 0;
    for (float logit : LOGITS) {
      normalizer += Math.exp(logit);
    }
    for (int v = 0; v < 5; v++) {
      double expected = Math.exp(LOGITS[v]) / normalizer;
      assertEquals(expected, counts[v] / (double) draws, 0.01, "token " + v);
    }
  }

  @Test
  void sameSeedSameChoices() {
    SplittableRandom a = new SplittableRandom(9);
    SplittableRandom b = new SplittableRandom(9);
    for (int i = 0; i < 100; i++) {
      assertEquals(
          Sampler.sample(LOGITS, 0, 5, params(1, 3, 0.9), ALL, a).token(),
          Sampler.sample(LOGITS, 0, 5, params(1, 3, 0.9), ALL, b).token());
    }
  }

  @Test
  void topKRestrictsTheSupport() {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 500; i++) {
      int token = Sampler.sample(LOGITS, 0, 5, params(5, 2, 1), ALL, random).token();
      assertTrue(token == 1 || token == 4, "top-2 are ids 1 and 4, got " + token);
    }
  }
}
