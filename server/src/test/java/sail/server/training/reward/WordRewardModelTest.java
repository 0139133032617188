package sail.server.training.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.model.Checkpoint;
import sail.server.model.CheckpointMetadata;

class WordRewardModelTest {
  @TempDir Path dir;

  private static final String[] WARM = {"kind", "lovely", "glad", "happy", "dear"};
  private static final String[] PLAIN = {
    "the", "walk", "house", "letter", "said", "morning", "road", "window", "table", "she", "came",
    "after", "dinner", "town", "over"
  };

  /** A reply of 6-12 plain words with {@code warm} warm words among them. */
  private static String reply(SplittableRandom random, int warm) {
    List<String> words = new ArrayList<>();
    int length = 6 + random.nextInt(7);
    for (int i = 0; i < length; i++) {
      words.add(PLAIN[random.nextInt(PLAIN.length)]);
    }
    for (int i = 0; i < warm; i++) {
      words.add(random.nextInt(words.size() + 1), WARM[random.nextInt(WARM.length)]);
    }
    return String.join(" ", words);
  }

  /**
   * Choices of people who prefer warmer replies, Bradley–Terry on the count of warm words (a
   * difference of one warm word is chosen 73% of the time): noisy, like the demo's users.
   */
  private static List<RewardExample> warmChoices(long seed, int count) {
    SplittableRandom random = new SplittableRandom(seed);
    List<RewardExample> examples = new ArrayList<>();
    while (examples.size() < count) {
      int a = random.nextInt(3);
      int b = random.nextInt(3);
      if (a == b) {
        continue;
      }
      String first = reply(random, a);
      String second = reply(random, b);
      boolean firstChosen = random.nextDouble() < 1 / (1 + Math.exp(-(a - b)));
      examples.add(
          firstChosen
              ? new RewardExample.Comparison("Any news?", first, second)
              : new RewardExample.Comparison("Any news?", second, first));
    }
    return examples;
  }

  private static double rankingAccuracyOnWarmth(WordRewardModel model, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int right = 0;
    for (int i = 0; i < 200; i++) {
      String warmer = reply(random, 2);
      String colder = reply(random, 0);
      double[] s =
          model.score(
              List.of(new PromptReply("Any news?", warmer), new PromptReply("Any news?", colder)));
      right += s[0] > s[1] ? 1 : 0;
    }
    return right / 200.0;
  }

  @Test
  void learnsWhichWordsNoisyPeoplePreferFromTheirChoices() {
    WordRewardModel model = WordRewardModel.create();
    assertEquals(0, rankingAccuracyOnWarmth(model, 3), "untrained: every score is 0, none higher");
    List<RewardExample> train = warmChoices(1, 2000);
    SplittableRandom draws = new SplittableRandom(2);
    double firstLoss = Double.NaN;
    double loss = Double.NaN;
    for (int step = 0; step < 100; step++) {
      List<RewardExample> batch = new ArrayList<>();
      for (int i = 0; i < 256; i++) {
        batch.add(train.get(draws.nextInt(train.size())));
      }
      loss = model.trainStep(batch, 0.05f, 1.0);
      if (step == 0) {
        firstLoss = loss;
      }
    }
    assertEquals(Math.log(2), firstLoss, 1e-9, "the first loss is that of a coin");
    assertTrue(loss < firstLoss - 0.05, "loss " + firstLoss + " -> " + loss);
    assertTrue(rankingAccuracyOnWarmth(model, 3) > 0.95, "warm replies score higher");
    RewardAccuracy heldOut = RewardAccuracy.of(model, warmChoices(4, 400), 0);
    // the people themselves agree with warmth about 0.73-0.88 of the time on these pairs
    assertTrue(heldOut.comparisonAccuracy() > 0.7, "held-out choices: " + heldOut);
  }

  @Test
  void ratingsTeachItTooAndTheBiasTakesTheBaseRate() {
    WordRewardModel model = WordRewardModel.create();
    SplittableRandom random = new SplittableRandom(5);
    List<RewardExample> ratings = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      int warm = random.nextInt(3);
      ratings.add(new RewardExample.Rating("Hello", reply(random, warm), warm > 0));
    }
    for (int step = 0; step < 100; step++) {
      model.trainStep(ratings, 0.05f, 1.0);
    }
    RewardAccuracy accuracy = RewardAccuracy.of(model, ratings, 0);
    assertTrue(accuracy.ratingAccuracy() > 0.95, "ratings: " + accuracy);
    assertTrue(rankingAccuracyOnWarmth(model, 6) > 0.95);
  }

  @Test
  void featuresAreUnitLengthWordCountsThatIgnoreCaseAndPunctuation() {
    WordRewardModel model = new WordRewardModel(1 << 10, 0);
    WordRewardModel.Features a = model.features("So kind, so KIND!");
    WordRewardModel.Features b = model.features("so kind so kind");
    assertArrayEquals(a.slots(), b.slots());
    assertArrayEquals(a.values(), b.values(), 0);
    assertEquals(2, a.slots().length);
    double squares = 0;
    for (double v : a.values()) {
      squares += v * v;
      assertEquals(Math.sqrt(0.5), v, 1e-12, "two words twice each: 2/sqrt(8)");
    }
    assertEquals(1, squares, 1e-12);
    assertEquals(0, model.features("... !!").slots().length, "no words, no features");
    assertEquals(0, model.score(List.of(new PromptReply("p", "")))[0], "an empty reply: the bias");
  }

  @Test
  void aCheckpointRestoresScoresAndOptimizerState() throws Exception {
    WordRewardModel model = WordRewardModel.create();
    List<RewardExample> train = warmChoices(7, 300);
    for (int step = 0; step < 5; step++) {
      model.trainStep(train, 0.05f, 1.0);
    }
    Checkpoint.Writer writer = new Checkpoint.Writer();
    model.writeTo(writer);
    Path checkpoint = dir.resolve("step-5");
    writer.write(
        checkpoint,
        new CheckpointMetadata(1, 0, "2026-11-28T00:00:00Z", "gpt", Map.of(), Map.of()));
    List<PromptReply> probe =
        List.of(new PromptReply("p", "a lovely kind letter"), new PromptReply("p", "the road"));

    WordRewardModel restored = WordRewardModel.create();
    assertTrue(restored.restoreFrom(checkpoint, model.optimizerStep()));
    assertEquals(5, restored.optimizerStep());
    assertArrayEquals(model.score(probe), restored.score(probe), 0);
    // the same next step from the same state: Adam's moments came back too
    double next = model.trainStep(train, 0.05f, 1.0);
    assertEquals(next, restored.trainStep(train, 0.05f, 1.0), 0);
    assertArrayEquals(model.score(probe), restored.score(probe), 0);
  }

  @Test
  void aCheckpointOfAnotherKindOrShapeIsNotTakenForOne() throws Exception {
    WordRewardModel model = WordRewardModel.create();
    assertFalse(model.restoreFrom(dir, 3), "no words model in the checkpoint");
    Files.write(dir.resolve(WordRewardModel.FILE), new byte[100]);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> model.restoreFrom(dir, 3));
    assertTrue(e.getMessage().contains(WordRewardModel.FILE), e.getMessage());
  }
}
