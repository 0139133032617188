package sail.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.model.ByteTokenizer;
import sail.server.model.GptLanguageModel;
import sail.server.model.SequenceScorer;
import sail.server.model.TinyModels;
import sail.server.model.WeightSnapshot;
import sail.server.registry.ModelRegistry;
import sail.server.task.TaskResources;
import sail.server.training.guard.Guard;
import sail.server.training.guard.GuardBounds;
import sail.server.training.mixture.InMemoryFeedbackPairs;
import sail.server.training.mixture.MixtureSampler;
import sail.server.training.mixture.OfflinePairs;
import sail.server.training.mixture.PromptSource;
import sail.server.training.mixture.StalenessBound;
import sail.server.training.objective.GradientCoefficients;
import sail.server.training.objective.MixtureWeights;
import sail.server.training.objective.ObjectiveConfig;
import sail.server.training.objective.Route;
import sail.server.training.objective.RouteMetrics;
import sail.server.training.reference.ReferencePolicy;
import sail.server.training.reward.InMemoryRewardLabels;
import sail.server.training.reward.PromptReply;
import sail.server.training.reward.RewardExample;
import sail.server.training.reward.RewardLearner;
import sail.server.training.reward.RewardSource;
import sail.server.training.rollout.PolicyRollouts;

class SailTrainerTest {
  @TempDir Path temp;

  /** Every route mixed in, with people's labels half of the DPR rows: the usual rig's objective. */
  private static final ObjectiveConfig MIXED =
      ObjectiveConfig.of(
          new MixtureWeights(0.3, 0.2, 0.2), new GradientCoefficients(0.2, 0.2, 0.3));

  /** Everything a trainer needs, on a tiny model whose initial weights are {@code base}. */
  private static final class Rig implements AutoCloseable {
    final GptLanguageModel model = TinyModels.create();
    final ModelRegistry registry;
    final ReferencePolicy reference;
    final SailTrainer trainer;
    final InMemoryFeedbackPairs feedback = new InMemoryFeedbackPairs();

    Rig(WeightSnapshot base, Path dataDir) {
      this(base, dataDir, MIXED, 0.5, 1e-3);
    }

    Rig(
        WeightSnapshot base,
        Path dataDir,
        ObjectiveConfig objective,
        double feedbackShare,
        double learningRate) {
      this(
          base,
          dataDir,
          objective,
          feedbackShare,
          learningRate,
          null,
          0,
          0,
          TrainerSettings.DEFAULT_DPR_CANDIDATES,
          0,
          false);
    }

    /**
     * With {@code rewards} labelling fresh DPR rows (null: the reply's length does) from {@code
     * dprCandidates} replies per prompt, the dialogue anchor at λ {@code dialogueAnchor} and the
     * entropy floor at η {@code entropyFloor}; publishes serve the moving average of the weights
     * with decay {@code publishAverage} when it is above 0; with {@code refuseEveryPublish} the KL
     * guard fails every attempt and a refusal rolls the live weights back to the served version.
     */
    Rig(
        WeightSnapshot base,
        Path dataDir,
        ObjectiveConfig objective,
        double feedbackShare,
        double learningRate,
        RewardSource rewards,
        double dialogueAnchor,
        double entropyFloor,
        int dprCandidates,
        double publishAverage,
        boolean refuseEveryPublish) {
      if (base != null) {
        base.copyInto(model.block());
      }
      WeightSnapshot start = WeightSnapshot.copyOf(model.block(), Device.cpu());
      registry = new ModelRegistry(model, 0, start.retain());
      reference =
          new ReferencePolicy(
              model, start, 0, ReferencePolicy.Settings.defaults().withEntropy(entropyFloor > 0));
      start.release();
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        lines.add(
            "{\"prompt\":\"Prompt "
                + i
                + "\",\"chosen\":\"What a lovely day "
                + i
                + "\",\"rejected\":\"Bad "
                + i
                + "\"}");
      }
      OfflinePairs pairs = OfflinePairs.parse("test-pairs", lines);
      // people's labels: DPR rows replay them (and restore them after a resume)
      for (int i = 0; i < 3; i++) {
        feedback.add("Asked " + i, "Gladly " + i, "No " + i, 0, java.time.Instant.EPOCH);
      }
      MixtureSampler sampler =
          new MixtureSampler(
              new MixtureSampler.Settings(
                  objective.mixture(), feedbackShare, StalenessBound.DEFAULT, true, 9),
              pairs,
              PromptSource.of(List.of("Hello", "How are you?", "Tell me more", "Is it fine?")),
              List.of(feedback));
      RewardSource longerWins =
          items -> items.stream().mapToDouble(item -> item.reply().length()).toArray();
      TrainerSettings settings =
          new TrainerSettings(
              objective,
              4,
              TrainerSettings.defaults().lengthBatches(),
              learningRate,
              1.0,
              dialogueAnchor,
              entropyFloor,
              1.0,
              2,
              2,
              3,
              5,
              2,
              refuseEveryPublish,
              publishAverage,
              new PolicyRollouts.Settings(0.9, 8, 8),
              dprCandidates,
              new GuardBounds(1.0, 0.0, refuseEveryPublish ? -1e9 : 1e9, 0.0, 1.0, 1.0, 0.0),
              4,
              11);
      trainer =
          new SailTrainer(
              model,
              registry,
              reference,
              sampler,
              rewards != null ? rewards : longerWins,
              List.of("Hi", "Yes?"),
              dataDir,
              settings);
    }

    @Override
    public void close() {
      trainer.close();
      reference.close();
      model.close();
    }
  }

  /** A rig whose fresh DPR rows {@code rewards} labels, half its DPR rows people's labels. */
  static Rig labelledBy(RewardSource rewards, Path dataDir, ObjectiveConfig objective) {
    return new Rig(
        null,
        dataDir,
        objective,
        0.5,
        1e-3,
        rewards,
        0,
        0,
        TrainerSettings.DEFAULT_DPR_CANDIDATES,
        0,
        false);
  }

  @Test
  void aStepChangesEveryPolicyParameterAndNotTheReference() {
    try (Rig rig = new Rig(null, temp)) {
      WeightSnapshot before = WeightSnapshot.copyOf(rig.model.block(), Device.cpu());
      SailTrainer.StepReport report = rig.trainer.trainStep();
      assertTrue(Double.isFinite(report.loss()), "loss " + report.loss());
      assertEquals(4, report.rows().values().stream().mapToLong(Long::longValue).sum());
      List<NDArray> old = before.namedArrays();
      int i = 0;
      for (Pair<String, Parameter> entry : rig.model.block().getParameters()) {
        try (NDScope ignored = new NDScope()) {
          float change = entry.getValue().getArray().sub(old.get(i++)).abs().max().getFloat();
          assertTrue(change > 0, entry.getKey() + " did not change");
        }
      }
      // the reference still scores with the initial weights
      i = 0;
      for (NDArray array : rig.reference.snapshot().namedArrays()) {
        try (NDScope ignored = new NDScope()) {
          assertEquals(0f, array.sub(old.get(i++)).abs().max().getFloat(), "reference changed");
        }
      }
      before.release();
    }
  }

  @Test
  void stepReportsCarryPerRouteMetricsThatAgreeWithTheTrainingLoss() {
    ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(20240601);
    try (Rig rig = new Rig(null, temp)) {
      for (int i = 0; i < 3; i++) {
        SailTrainer.StepReport report = rig.trainer.trainStep();
        Map<Route, RouteMetrics> routes = report.routeMetrics();
        double sumS = 0;
        for (Map.Entry<Route, Long> count : report.rows().entrySet()) {
          RouteMetrics m = routes.get(count.getKey());
          assertEquals(count.getValue() == 0, m == null, "metrics exactly for routes with rows");
          if (m != null) {
            assertEquals(count.getValue(), m.rows());
            assertTrue(m.meanS() <= 0, "s = log σ(β·h) <= 0: " + m);
            // no clamp: the weight is 1 + c_B·s, linear in s (sail-objective.md, section 4)
            double cB = rig.trainer.settings().objective().coefficientsOf(count.getKey()).termB();
            assertEquals(1 + cB * m.meanS(), m.meanWeight(), 1e-9, count.getKey().name());
            sumS += m.meanS() * m.rows();
          }
        }
        // recomputed in double precision, the batch mean of s matches the float training pass
        assertEquals(report.meanS(), sumS / 4, 1e-4);
        int swaps = routes.values().stream().mapToInt(RouteMetrics::swapCount).sum();
        assertEquals(report.swapped(), swaps);
        // fresh rows and replayed labels (logged at version 0) all trail the live policy by 0
        assertTrue(report.onlineVersionLags().size() >= report.freshPairs());
        assertTrue(report.onlineVersionLags().stream().allMatch(lag -> lag == 0));
      }
    }
  }

  @Test
  void stepsOnPeoplesLabelsFitThem() {
    // every row a logged label (three pairs, replayed), plain DPO on them: γ = 0, no anchor pull
    ObjectiveConfig labelsOnly =
        ObjectiveConfig.of(new MixtureWeights(0, 0, 1), GradientCoefficients.NONE);
    try (Rig rig = new Rig(null, temp, labelsOnly, 1.0, 3e-3)) {
      double first = rig.trainer.trainStep().meanS();
      double last = first;
      // eight steps: the rig publishes every two, and the labels (version 0) stay within the
      // staleness bound of four versions
      for (int i = 0; i < 7; i++) {
        last = rig.trainer.trainStep().meanS();
      }
      // s = log σ(β·h) rises toward 0 as the chosen replies gain on the rejected ones
      assertTrue(last > first + 0.05, "mean s " + first + " -> " + last);
    }
  }

  @Test
  void thePublishGuardsMeasureTheHeldOutAccuracyOfPeoplesPairsOnceThereAreEnough() {
    ObjectiveConfig labelsOnly =
        ObjectiveConfig.of(new MixtureWeights(0, 0, 1), GradientCoefficients.NONE);
    try (Rig rig = new Rig(null, temp, labelsOnly, 1.0, 3e-3)) {
      // three labels in the rig: too few held out to measure
      rig.trainer.trainStep();
      rig.trainer.trainStep();
      assertTrue(
          rig.trainer.lastPublish().guards().checks().stream()
              .noneMatch(check -> check.guard() == Guard.HELD_OUT_ACCURACY),
          rig.trainer.lastPublish().guards().toString());
      for (int i = 0; i < 300; i++) {
        rig.feedback.add("Asked " + i, "Gladly " + i, "No " + i, 1, java.time.Instant.EPOCH);
      }
      rig.trainer.trainStep();
      rig.trainer.trainStep();
      var accuracy =
          rig.trainer.lastPublish().guards().checks().stream()
              .filter(check -> check.guard() == Guard.HELD_OUT_ACCURACY)
              .findFirst()
              .orElseThrow(() -> new AssertionError(rig.trainer.lastPublish().guards()));
      assertTrue(
          accuracy.value() >= 0 && accuracy.value() <= 1 && accuracy.passed(), accuracy.toString());
    }
  }

  @Test
  void theServedBaseScoresExactlyOneHalfOnHeldOutPairsSoTheFirstPublishIsNotBlockedByNoise() {
    ObjectiveConfig labelsOnly =
        ObjectiveConfig.of(new MixtureWeights(0, 0, 1), GradientCoefficients.NONE);
    try (Rig rig = new Rig(null, temp, labelsOnly, 1.0, 3e-3)) {
      for (int i = 0; i < 300; i++) {
        rig.feedback.add("Asked " + i, "Gladly " + i, "No " + i, 0, java.time.Instant.EPOCH);
      }
      rig.trainer.trainStep();
      rig.trainer.trainStep(); // first publish attempt: the served version is the base
      var accuracy =
          rig.trainer.lastPublish().guards().checks().stream()
              .filter(check -> check.guard() == Guard.HELD_OUT_ACCURACY)
              .findFirst()
              .orElseThrow(() -> new AssertionError(rig.trainer.lastPublish().guards()));
      // the base is the reference: every implicit-reward margin is exactly 0, a tie, so the
      // bound is ½ less the rig's allowed drop of 1.0 (floating-point noise would move it)
      assertEquals(0.5 - 1.0, accuracy.bound(), 1e-12, accuracy.toString());
    }
  }

  @Test
  void aLearnedRewardModelStepsBeforeEachPolicyStepAndLabelsFreshRowsOnceReady() {
    InMemoryRewardLabels ratings = new InMemoryRewardLabels("rating");
    InMemoryRewardLabels choices = new InMemoryRewardLabels("choice");
    InMemoryRewardLabels.kindPeople(ratings, choices, 2);
    ObjectiveConfig dprOnly =
        ObjectiveConfig.of(new MixtureWeights(0, 0, 1), new GradientCoefficients(0, 0, 0.1));
    boolean sawFresh = false;
    try (RewardLearner learner = InMemoryRewardLabels.tinyLearner(ratings, choices);
        Rig rig = labelledBy(learner, temp.resolve("a"), dprOnly)) {
      SailTrainer.StepReport first = rig.trainer.trainStep();
      assertEquals(1, first.reward().steps(), "one reward step per policy step");
      assertFalse(first.reward().ready(), "one step from a random head: " + learner.accuracy());
      assertEquals(0, first.freshPairs(), "people's labels only while the model is not ready");
      // the reward model alone (cheaper than policy steps) until it has learned the people
      for (int i = 0; i < 50; i++) {
        learner.step();
      }
      for (int i = 0; i < 3; i++) {
        SailTrainer.StepReport report = rig.trainer.trainStep();
        assertEquals(52 + i, report.reward().steps());
        assertTrue(report.reward().ready(), "accuracy " + report.reward().accuracy());
        sawFresh |= report.freshPairs() > 0;
      }
      assertTrue(sawFresh, "a ready reward model labels fresh rows");
      // and its mean P(👍) of the guard replies is checked against the last published version's
      assertTrue(
          rig.trainer.lastPublish().guards().checks().stream()
              .anyMatch(check -> check.guard() == Guard.MEAN_REWARD),
          rig.trainer.lastPublish().guards().toString());
      // the rig checkpoints every two steps: step 4 is the last, with reward step 54

      // a restart restores the reward model with the policy
      try (RewardLearner fresh = InMemoryRewardLabels.tinyLearner(ratings, choices);
          Rig second = labelledBy(fresh, temp.resolve("a"), dprOnly)) {
        second.trainer.resume().orElseThrow();
        assertEquals(54, fresh.steps());
        List<PromptReply> probe = List.of(new PromptReply("Any news?", "so kind"));
        assertEquals(learner.score(probe)[0], fresh.score(probe)[0], 1e-6);
      }
    }
  }

  @Test
  void freshPairsTheRewardModelScoresTooCloseToCallTakePeoplesLabels() {
    InMemoryRewardLabels ratings = new InMemoryRewardLabels("rating");
    InMemoryRewardLabels choices = new InMemoryRewardLabels("choice");
    InMemoryRewardLabels.kindPeople(ratings, choices, 3);
    // and twice as many coin-toss choices between plain replies: only the widest-scored half of
    // the held-out pairs can pass, so the model labels only pairs it scores some gap apart
    for (int i = 0; i < 240; i++) {
      String a = "the road " + (i % 5);
      String b = "a letter " + (i % 7);
      choices.add(
          i % 2 == 0
              ? new RewardExample.Comparison("Well?", a, b)
              : new RewardExample.Comparison("Well?", b, a));
    }
    ObjectiveConfig dprOnly =
        ObjectiveConfig.of(new MixtureWeights(0, 0, 1), new GradientCoefficients(0, 0, 0.1));
    try (RewardLearner learner = InMemoryRewardLabels.wordLearner(ratings, choices);
        Rig rig = labelledBy(learner, temp.resolve("w"), dprOnly)) {
      for (int i = 0; i < 5; i++) {
        rig.feedback.add("Asked " + i, "Gladly " + i, "No " + i, 0, java.time.Instant.EPOCH);
      }
      for (int i = 0; i < 40; i++) {
        learner.step();
      }
      assertTrue(learner.ready(), "accuracy " + learner.accuracy());
      assertTrue(learner.labelMargin().gap() > 0, "a gap: " + learner.labelMargin());
      // the tiny policy's samples are byte soup: no word the model has weighed, so every pair
      // scores the same and none is labelled by it
      for (int step = 0; step < 3; step++) {
        SailTrainer.StepReport report = rig.trainer.trainStep();
        assertEquals(0, report.freshPairs(), "no pair labelled by the model");
        assertEquals(
            report.rows().get(Route.DPR).intValue(),
            report.onlineVersionLags().size(),
            "every DPR row trained on, each with a person's label");
      }
    }
  }

  @Test
  void withMoreCandidatesADprRowTrainsOnTheWidestScoredPairOfThem() {
    ObjectiveConfig dprOnly =
        ObjectiveConfig.of(new MixtureWeights(0, 0, 1), new GradientCoefficients(0, 0, 0.1));
    List<Integer> callSizes = new ArrayList<>();
    RewardSource longerWins =
        items -> {
          callSizes.add(items.size());
          return items.stream().mapToDouble(item -> item.reply().length()).toArray();
        };
    // feedback share 0: every DPR row is a fresh pair for the reward source
    try (Rig rig = new Rig(null, temp, dprOnly, 0, 1e-3, longerWins, 0, 0, 4, 0, false)) {
      SailTrainer.StepReport report = rig.trainer.trainStep();
      long dprRows = report.rows().get(Route.DPR);
      assertEquals(4, dprRows);
      assertEquals(dprRows, report.freshPairs());
      // one call, four replies for each row
      assertEquals(List.of(4 * (int) dprRows), callSizes);
    }
  }

  /** Dialogue replies the tests below measure the policy on; the anchor draws with other seeds. */
  private static List<SequenceScorer.Example> heldOutDialogue() {
    return DialogueAnchor.of(TaskResources.dialogueSft(), new ByteTokenizer()).draw(99, 0, 16);
  }

  /**
   * {@code steps} large offline-DPO steps from {@code base} with the dialogue anchor at λ and the
   * entropy floor at η; returns {@code measure} of the trained policy and the last step's report.
   */
  private <T> T afterOfflineSteps(
      int steps,
      WeightSnapshot base,
      String name,
      double dialogueAnchor,
      double entropyFloor,
      java.util.function.BiFunction<Rig, SailTrainer.StepReport, T> measure) {
    ObjectiveConfig offlineOnly =
        ObjectiveConfig.of(new MixtureWeights(0, 0, 0), GradientCoefficients.NONE);
    try (Rig rig =
        new Rig(
            base,
            temp.resolve(name),
            offlineOnly,
            0,
            1e-2,
            null,
            dialogueAnchor,
            entropyFloor,
            TrainerSettings.DEFAULT_DPR_CANDIDATES,
            0,
            false)) {
      SailTrainer.StepReport report = null;
      for (int s = 0; s < steps; s++) {
        report = rig.trainer.trainStep();
      }
      return measure.apply(rig, report);
    }
  }

  @Test
  void theDialogueAnchorPullsThePolicyTowardsPeopleWrittenReplies() {
    List<SequenceScorer.Example> heldOut = heldOutDialogue();
    double[] nll = new double[2];
    double[] lambdas = {0, 5};
    try (Rig first = new Rig(null, temp.resolve("base"))) {
      WeightSnapshot base = first.registry.acquire().weights();
      for (int i = 0; i < lambdas.length; i++) {
        boolean on = lambdas[i] > 0;
        nll[i] =
            afterOfflineSteps(
                6,
                base,
                "l" + i,
                lambdas[i],
                0,
                (rig, report) -> {
                  assertEquals(on, Double.isFinite(report.dialogueNll()), "reported iff on");
                  return meanNll(rig, heldOut);
                });
      }
      base.release();
    }
    assertTrue(
        nll[1] < nll[0] - 0.1,
        "NLL per token of dialogue replies drawn apart from training: "
            + nll[1]
            + " with the anchor, "
            + nll[0]
            + " without");
  }

  @Test
  void theEntropyFloorKeepsThePolicyAsUncertainAsTheReference() {
    List<SequenceScorer.Example> heldOut = heldOutDialogue();
    double[] entropy = new double[2];
    double[] etas = {0, 5};
    double referenceEntropy;
    try (Rig first = new Rig(null, temp.resolve("base"))) {
      WeightSnapshot base = first.registry.acquire().weights();
      referenceEntropy = meanEntropy(first, heldOut);
      for (int i = 0; i < etas.length; i++) {
        boolean on = etas[i] > 0;
        entropy[i] =
            afterOfflineSteps(
                12,
                base,
                "e" + i,
                0,
                etas[i],
                (rig, report) -> {
                  assertEquals(on, Double.isFinite(report.entropyGap()), "reported iff on");
                  return meanEntropy(rig, heldOut);
                });
      }
      base.release();
    }
    // without the floor twelve large DPO steps sharpen the untrained model's distributions past
    // the floor's slack
    double floor = (1 - TrainerSettings.ENTROPY_FLOOR_SLACK) * referenceEntropy;
    assertTrue(
        entropy[0] < floor - 0.05,
        "entropy per token " + entropy[0] + " without the floor, " + referenceEntropy + " before");
    assertTrue(
        entropy[1] > entropy[0] + 0.05,
        "entropy per token of replies drawn apart from training: "
            + entropy[1]
            + " with the floor, "
            + entropy[0]
            + " without, "
            + referenceEntropy
            + " before");
  }

  /** Mean NLL per reply token of {@code examples} under the policy. */
  private static double meanNll(Rig rig, List<SequenceScorer.Example> examples) {
    SequenceScorer.Collated batch =
        SequenceScorer.collate(examples, rig.model.contextLength(), ByteTokenizer.PAD);
    try (NDScope ignored = new NDScope()) {
      double total =
          -SequenceScorer.sumLogProbs(rig.model, rig.model.liveParameters(), batch, false)
              .sum()
              .getFloat();
      return total / java.util.Arrays.stream(batch.responseTokens()).sum();
    }
  }

  /** Mean next-token entropy (nats) over the reply tokens of {@code examples} under the policy. */
  private static double meanEntropy(Rig rig, List<SequenceScorer.Example> examples) {
    SequenceScorer.Collated batch =
        SequenceScorer.collate(examples, rig.model.contextLength(), ByteTokenizer.PAD);
    try (NDScope ignored = new NDScope()) {
      double total =
          SequenceScorer.tokenScores(rig.model, rig.model.liveParameters(), batch, false, true)
              .entropies()
              .sum()
              .getFloat();
      return total / java.util.Arrays.stream(batch.responseTokens()).sum();
    }
  }

  @Test
  void publishesEveryNStepsAsANewVersion() {
    try (Rig rig = new Rig(null, temp)) {
      rig.trainer.trainStep();
      rig.trainer.trainStep();
      SailTrainer.PublishReport publish = rig.trainer.lastPublish();
      assertNotNull(publish);
      assertTrue(publish.published(), "permissive guards pass: " + publish.guards());
      assertEquals(1, rig.registry.currentVersion());
      assertTrue(rig.trainer.versions().numbers().contains(1L));
    }
  }

  @Test
  void theLearningRateWarmsUpOverTheFirstStepsThenHolds() {
    double peak = 6e-5;
    assertEquals(peak / SailTrainer.WARMUP_STEPS, SailTrainer.learningRateAt(peak, 0), 1e-18);
    assertEquals(
        peak / 2, SailTrainer.learningRateAt(peak, SailTrainer.WARMUP_STEPS / 2 - 1), 1e-18);
    assertEquals(peak, SailTrainer.learningRateAt(peak, SailTrainer.WARMUP_STEPS - 1), 1e-18);
    assertEquals(peak, SailTrainer.learningRateAt(peak, 1_000), 1e-18, "a resumed trainer");
  }

  @Test
  void aRefusedPublishSetsTheLiveWeightsBackToTheServedVersionAndTrainingGoesOn() {
    try (Rig rig = usual(null, temp, 0, true)) {
      float[][] served = live(rig);
      rig.trainer.trainStep();
      assertFalse(java.util.Arrays.deepEquals(served, live(rig)), "a step moves the weights");
      rig.trainer.trainStep(); // the publish attempt at step 2 is refused
      SailTrainer.PublishReport publish = rig.trainer.lastPublish();
      assertFalse(publish.published(), "the KL guard refuses: " + publish.guards());
      assertEquals(0, rig.registry.currentVersion());
      assertClose(served, live(rig), 0);
      // training goes on from the served version
      rig.trainer.trainStep();
      assertFalse(
          java.util.Arrays.deepEquals(served, live(rig)), "the next step moves the weights again");
    }
  }

  @Test
  void checkpointThenResumeGivesTheSameNextStep() {
    WeightSnapshot base;
    double expected;
    try (Rig first = new Rig(null, temp.resolve("a"))) {
      base = first.registry.acquire().weights();
      first.trainer.trainStep();
      first.trainer.trainStep(); // checkpoint at step 2
      expected = first.trainer.trainStep().loss();
      // a second trainer on the same data directory, starting from the same base weights
      try (Rig second = new Rig(base, temp.resolve("a"))) {
        assertEquals(2L, second.trainer.resume().orElseThrow());
        double resumed = second.trainer.trainStep().loss();
        assertEquals(expected, resumed, 1e-4);
      }
      base.release();
    }
  }

  @Test
  void publishesTheMovingAverageOfTheWeightsAndResumesIt() throws Exception {
    WeightSnapshot base;
    float[][] averageAtStep2;
    try (Rig first = averaging(null, temp.resolve("a"))) {
      base = first.registry.acquire().weights();
      first.trainer.trainStep();
      float[][] afterStep1 = live(first);
      first.trainer.trainStep(); // publishes version 1 and checkpoints
      float[][] afterStep2 = live(first);
      assertEquals(1, first.registry.currentVersion());
      averageAtStep2 = published(first);
      // the average starts at the first step's weights: ½·W1 + ½·W2
      assertClose(mix(afterStep1, 0.5, afterStep2, 0.5), averageAtStep2, 1e-6);
      assertTrue(
          maxDifference(afterStep2, averageAtStep2) > 1e-5, "the average is not the live weights");
    }
    // a trainer resuming from the step-2 checkpoint continues the same average
    try (Rig second = averaging(base, temp.resolve("a"))) {
      assertEquals(2L, second.trainer.resume().orElseThrow());
      second.registry.reserveThrough(1); // version 1 is the first trainer's
      second.trainer.trainStep();
      float[][] afterStep3 = live(second);
      second.trainer.trainStep(); // publishes again
      float[][] afterStep4 = live(second);
      float[][] expected = mix(mix(averageAtStep2, 0.25, afterStep3, 0.25), 1, afterStep4, 0.5);
      assertClose(expected, published(second), 1e-6);
    }
    base.release();
  }

  private Rig averaging(WeightSnapshot base, Path dir) {
    return usual(base, dir, 0.5, false);
  }

  /**
   * The usual rig ({@link #MIXED}, lr 1e-3) publishing the moving average at decay {@code
   * publishAverage} (0: off), refusing every publish when {@code refuseEveryPublish}.
   */
  private static Rig usual(
      WeightSnapshot base, Path dir, double publishAverage, boolean refuseEveryPublish) {
    return new Rig(
        base,
        dir,
        MIXED,
        0.5,
        1e-3,
        null,
        0,
        0,
        TrainerSettings.DEFAULT_DPR_CANDIDATES,
        publishAverage,
        refuseEveryPublish);
  }

  private static float[][] live(Rig rig) {
    return rig.model.block().getParameters().values().stream()
        .map(p -> p.getArray().toFloatArray())
        .toArray(float[][]::new);
  }

  private static float[][] published(Rig rig) {
    var served = rig.registry.acquire();
    try {
      return served.weights().namedArrays().stream()
          .map(NDArray::toFloatArray)
          .toArray(float[][]::new);
    } finally {
      served.weights().release();
    }
  }

  private static float[][] mix(float[][] a, double wa, float[][] b, double wb) {
    float[][] out = new float[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = new float[a[i].length];
      for (int j = 0; j < a[i].length; j++) {
        out[i][j] = (float) (wa * a[i][j] + wb * b[i][j]);
      }
    }
    return out;
  }

  private static double maxDifference(float[][] a, float[][] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return max;
  }

  private static void assertClose(float[][] expected, float[][] actual, double tolerance) {
    assertEquals(expected.length, actual.length);
    double difference = maxDifference(expected, actual);
    assertTrue(difference <= tolerance, "max difference " + difference);
  }

  @Test
  void rollbackServesTheRequestedVersion() {
    try (Rig rig = new Rig(null, temp)) {
      for (int i = 0; i < 4; i++) {
        rig.trainer.trainStep();
      }
      assertEquals(2, rig.registry.currentVersion());
      rig.trainer.rollbackTo(1);
      assertEquals(1, rig.registry.currentVersion());
      rig.trainer.trainStep();
      rig.trainer.trainStep();
      assertEquals(3, rig.registry.currentVersion(), "publishing continues above the highest");
    }
  }
}
