package sail.server.training.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.model.Checkpoint;
import sail.server.model.CheckpointMetadata;

class RewardLearnerTest {
  // a kind and a rude reply, scored before and after a checkpoint
  private static final List<PromptReply> KIND_AND_RUDE =
      List.of(new PromptReply("What now?", "so kind"), new PromptReply("What now?", "so rude"));

  @TempDir Path dir;

  private static void save(RewardLearner learner, Path checkpoint) {
    learner
        .writeTo(new Checkpoint.Writer())
        .write(
            checkpoint,
            new CheckpointMetadata(1, 0, "2026-11-27T00:00:00Z", "gpt", Map.of(), Map.of()));
  }

  @Test
  void waitsForFeedbackThenLearnsItAndBecomesReady() {
    InMemoryRewardLabels ratings = new InMemoryRewardLabels("rating");
    InMemoryRewardLabels choices = new InMemoryRewardLabels("choice");
    try (RewardLearner learner = InMemoryRewardLabels.tinyLearner(ratings, choices)) {
      RewardLearner.Report idle = learner.step();
      assertFalse(idle.trained());
      assertFalse(learner.ready(), "no accuracy measured, so not ready");
      assertNull(idle.accuracy());

      InMemoryRewardLabels.kindPeople(ratings, choices, 2);
      RewardLearner.Report first = learner.step();
      assertTrue(first.trained());
      assertEquals(1, first.steps());
      assertEquals(
          ratings.size() + choices.size(), first.trainExamples() + first.heldOutExamples());
      assertTrue(first.heldOutExamples() > 0 && first.trainExamples() > first.heldOutExamples());
      assertNotNull(first.accuracy(), "the first step measures held-out accuracy");

      RewardLearner.Report last = first;
      for (int i = 0; i < 60; i++) {
        last = learner.step();
      }
      assertTrue(last.accuracy().overall() >= 0.9, "held-out " + last.accuracy());
      assertTrue(learner.ready());
      assertTrue(last.ready());
      assertTrue(learner.prefersFirst("Any news?", "wonderful news", "terrible news"));
    }
  }

  @Test
  void backsOffWhileItCannotLearnAndStepsEveryTimeOnceReady() {
    InMemoryRewardLabels ratings = new InMemoryRewardLabels("rating");
    InMemoryRewardLabels choices = new InMemoryRewardLabels("choice");
    InMemoryRewardLabels.undecidedPeople(ratings, choices, 2);
    try (RewardLearner learner = InMemoryRewardLabels.tinyLearner(ratings, choices, 3)) {
      int trained = 0;
      int maxBackOff = 0;
      for (int call = 0; call < 80; call++) {
        RewardLearner.Report report = learner.step();
        trained += report.trained() ? 1 : 0;
        maxBackOff = Math.max(maxBackOff, report.backOff());
        assertFalse(report.ready(), "nothing to learn, so never ready: " + report.accuracy());
      }
      assertEquals(learner.steps(), trained);
      assertEquals(3, maxBackOff, "backs off up to the configured most");
      assertTrue(trained < 50, "sat out policy steps: trained " + trained + " of 80");
    }

    InMemoryRewardLabels kindRatings = new InMemoryRewardLabels("rating");
    InMemoryRewardLabels kindChoices = new InMemoryRewardLabels("choice");
    InMemoryRewardLabels.kindPeople(kindRatings, kindChoices, 2);
    try (RewardLearner learner = InMemoryRewardLabels.tinyLearner(kindRatings, kindChoices, 3)) {
      RewardLearner.Report last = null;
      for (int call = 0; call < 80; call++) {
        last = learner.step();
      }
      assertTrue(last.ready(), "learnable feedback: " + last.accuracy());
      assertEquals(0, last.backOff());
      assertTrue(last.trained(), "a ready model steps with every policy step");
    }
  }

  @Test
  void theBackOffDoublesUpToItsMostAndEndsOnReadinessOrImprovement() {
    try (RewardLearner learner =
        InMemoryRewardLabels.tinyLearner(
            new InMemoryRewardLabels("rating"), new InMemoryRewardLabels("choice"), 6)) {
      assertEquals(1, learner.nextBackOff(0, false, false));
      assertEquals(2, learner.nextBackOff(1, false, false));
      assertEquals(4, learner.nextBackOff(2, false, false));
      assertEquals(6, learner.nextBackOff(4, false, false), "capped at the most");
      assertEquals(6, learner.nextBackOff(6, false, false));
      assertEquals(0, learner.nextBackOff(6, false, true), "an improvement ends it");
      assertEquals(0, learner.nextBackOff(6, true, false), "a ready model's labels are in use");
    }
  }

  @Test
  void aCheckpointRestoresWeightsCursorsAndStepCount() {
    InMemoryRewardLabels ratings = new InMemoryRewardLabels("rating");
    InMemoryRewardLabels choices = new InMemoryRewardLabels("choice");
    InMemoryRewardLabels.kindPeople(ratings, choices, 1);
    Path checkpoint = dir.resolve("step-1");
    double[] saved;
    RewardLearner.Report next;
    try (RewardLearner learner = InMemoryRewardLabels.tinyLearner(ratings, choices)) {
      for (int i = 0; i < 6; i++) {
        learner.step();
      }
      save(learner, checkpoint);
      saved = learner.score(KIND_AND_RUDE);
      InMemoryRewardLabels.kindPeople(ratings, choices, 1); // feedback logged after the checkpoint
      next = learner.step();
    }
    try (RewardLearner restored = InMemoryRewardLabels.tinyLearner(ratings, choices)) {
      assertTrue(restored.restoreFrom(checkpoint));
      assertEquals(6, restored.steps());
      assertArrayEquals(saved, restored.score(KIND_AND_RUDE), 1e-6);
      assertFalse(restored.ready(), "accuracy is measured again before the model labels rows");
      RewardLearner.Report again = restored.step();
      assertEquals(next.steps(), again.steps());
      assertEquals(next.loss(), again.loss(), 1e-6, "the same batch from the same state");
      assertEquals(next.trainExamples(), again.trainExamples());
    }
  }

  @Test
  void theWordsModelLearnsKindPeopleLabelsWithAMarginAndResumesFromACheckpoint() {
    InMemoryRewardLabels ratings = new InMemoryRewardLabels("rating");
    InMemoryRewardLabels choices = new InMemoryRewardLabels("choice");
    InMemoryRewardLabels.kindPeople(ratings, choices, 3);
    Path checkpoint = dir.resolve("words-30");
    double[] saved;
    try (RewardLearner learner = InMemoryRewardLabels.wordLearner(ratings, choices)) {
      RewardLearner.Report last = null;
      for (int i = 0; i < 30; i++) {
        last = learner.step();
      }
      assertTrue(last.ready(), "kind words are easy: " + last.accuracy());
      assertNotNull(last.margin());
      double[] scores = learner.score(KIND_AND_RUDE);
      assertTrue(learner.labelMargin().labels(scores[0], scores[1]));
      assertTrue(learner.prefersFirst("Any news?", "wonderful news", "terrible news"));
      save(learner, checkpoint);
      saved = learner.score(KIND_AND_RUDE);
    }
    try (RewardLearner restored = InMemoryRewardLabels.wordLearner(ratings, choices)) {
      assertTrue(restored.restoreFrom(checkpoint));
      assertEquals(30, restored.steps());
      assertArrayEquals(saved, restored.score(KIND_AND_RUDE), 0);
    }
    // a transformer learner finds no model of its kind there and starts afresh
    try (RewardLearner other = InMemoryRewardLabels.tinyLearner(ratings, choices)) {
      assertFalse(other.restoreFrom(checkpoint));
      assertEquals(0, other.steps());
    }
  }

  @Test
  void offlinePairsTrainItFromTheFirstStepButReadinessWaitsForPeople() {
    InMemoryRewardLabels ratings = new InMemoryRewardLabels("rating");
    InMemoryRewardLabels choices = new InMemoryRewardLabels("choice");
    List<RewardExample> offline = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      offline.add(new RewardExample.Comparison("Well?", "so kind " + i, "so rude " + i));
    }
    try (RewardLearner learner =
        new RewardLearner(
            WordRewardModel.create(),
            List.of(ratings, choices),
            offline,
            new RewardLearner.Settings(64, 0.05, 1.0, 2048, 4, 16, 1, 256, 0.6, 16, 0, 7))) {
      RewardLearner.Report first = learner.step();
      assertTrue(first.trained(), "the offline pairs are enough to learn from");
      assertEquals(40, first.trainExamples());
      assertEquals(0, first.heldOutExamples(), "offline pairs are never held out");
      for (int i = 0; i < 20; i++) {
        learner.step();
      }
      double[] scores = learner.score(KIND_AND_RUDE);
      assertTrue(
          scores[0] > scores[1], "learned the offline taste: " + scores[0] + " " + scores[1]);
      assertFalse(learner.ready(), "no held-out people's labels, so not ready");

      InMemoryRewardLabels.kindPeople(ratings, choices, 2);
      RewardLearner.Report withPeople = learner.step();
      assertEquals(
          40 + ratings.size() + choices.size(),
          withPeople.trainExamples() + withPeople.heldOutExamples());
      assertTrue(withPeople.ready(), "people agree with it: " + withPeople.accuracy());
    }
  }

  @Test
  void aCheckpointWithoutARewardModelLeavesItAlone() {
    try (RewardLearner learner =
        InMemoryRewardLabels.tinyLearner(
            new InMemoryRewardLabels("rating"), new InMemoryRewardLabels("choice"))) {
      assertFalse(learner.restoreFrom(dir));
      assertEquals(0, learner.steps());
    }
  }

  @Test
  void theWilsonLowerBoundSaysWhenAccuracyBeatsACoin() {
    assertEquals(0.5, new RewardAccuracy(100, 50, 0, 0).overall());
    assertTrue(new RewardAccuracy(100, 50, 0, 0).lowerBound95() < 0.5);
    // 70 of 100 right: Wilson interval (0.604, 0.781)
    assertEquals(0.6041, new RewardAccuracy(60, 40, 40, 30).lowerBound95(), 1e-3);
    assertTrue(Double.isNaN(new RewardAccuracy(0, 0, 0, 0).lowerBound95()));
  }

  @Test
  void rankingPairsEachLikedReplyWithADislikedOneSoTheMajorityRatingEarnsNothing() {
    // 2 👍 and 14 👎 held out; the model calls every reply bad (r < 0) and, between them, scores
    // each reply by its length
    List<RewardExample> heldOut = new java.util.ArrayList<>();
    heldOut.add(new RewardExample.Rating("p", "ok", true));
    heldOut.add(new RewardExample.Rating("p", "a fine reply", true));
    for (int i = 0; i < 14; i++) {
      heldOut.add(new RewardExample.Rating("p", "x".repeat(5 + i), false));
    }
    heldOut.add(new RewardExample.Comparison("p", "longer one", "short"));
    RewardSource byLength =
        items -> items.stream().mapToDouble(item -> item.reply().length() - 100.0).toArray();

    RewardAccuracy accuracy = RewardAccuracy.of(byLength, heldOut, 0);

    assertEquals(14.0 / 16, accuracy.ratingAccuracy(), 1e-12, "right on every 👎, wrong on 👍");
    assertEquals(2, accuracy.ratingPairs(), "as many pairs as the rarer rating");
    // pairs: ("ok" 2 vs 5 chars) wrong, ("a fine reply" 12 vs 6 chars) right; the comparison right
    assertEquals(1, accuracy.ratingPairsRight());
    assertEquals(3, accuracy.rankedPairs());
    assertEquals(2.0 / 3, accuracy.ranking(), 1e-12);
    assertTrue(accuracy.overall() > 0.8, "overall accuracy rewards the 👎 majority");
    assertTrue(accuracy.rankingLowerBound95() < 0.5, "three pairs prove nothing");
  }

  @Test
  void aModelThatOnlyPredictsTheMajorityRatingIsNeverReady() {
    // people rate 1 reply in 16 👍 at random: nothing about the reply predicts it, so a reward
    // model can learn the 👎 majority (and be right on most ratings) but not rank replies
    InMemoryRewardLabels ratings = new InMemoryRewardLabels("rating");
    InMemoryRewardLabels choices = new InMemoryRewardLabels("choice");
    InMemoryRewardLabels.mostlyDislikingPeople(ratings, choices, 3);
    try (RewardLearner learner = InMemoryRewardLabels.tinyLearner(ratings, choices)) {
      RewardLearner.Report last = null;
      for (int call = 0; call < 60; call++) {
        last = learner.step();
        assertFalse(last.ready(), "ranking accuracy decides: " + last.accuracy());
      }
      assertTrue(
          last.accuracy().ratingAccuracy() > 0.8,
          "it did learn the majority rating: " + last.accuracy());
    }
  }
}
