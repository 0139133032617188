package sail.server.training.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import sail.server.model.ByteTokenizer;
import sail.server.model.GptLanguageModel;
import sail.server.model.GradMode;
import sail.server.model.SequenceScorer;
import sail.server.model.TinyModels;
import sail.server.model.WeightSnapshot;
import sail.server.task.SimulatedAnnotator;
import sail.server.training.AdamW;
import sail.server.training.ChatEncoding;

class RewardModelTest {
  private static final String[] GOOD = {"a lovely day", "so kind", "wonderful news", "happy"};
  private static final String[] BAD = {"a dreadful day", "so rude", "terrible news", "sad"};

  /** 👍 for the kind words, 👎 for the unkind ones, and pairs between them, on some prompts. */
  private static List<RewardExample> feedback(String... prompts) {
    List<RewardExample> examples = new ArrayList<>();
    for (String prompt : prompts) {
      for (int i = 0; i < GOOD.length; i++) {
        examples.add(new RewardExample.Rating(prompt, GOOD[i], true));
        examples.add(new RewardExample.Rating(prompt, BAD[i], false));
        examples.add(new RewardExample.Comparison(prompt, GOOD[i], BAD[(i + 1) % BAD.length]));
      }
    }
    return examples;
  }

  private static RewardModel tiny() {
    // a fixed initialisation: what a tiny model generalises from 16 prompts depends on it, and the
    // engine's random state otherwise depends on which tests ran before in the same JVM
    ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(20240601);
    return RewardModel.create(TinyModels.config(), new ByteTokenizer(), Device.cpu());
  }

  @Test
  void learnsFromRatingsAndComparisonsAndScoresHeldOutFeedback() {
    String[] prompts = {
      "How are you?", "Tell me about it.", "What now?", "Any news from town today?"
    };
    try (RewardModel reward = tiny()) {
      List<RewardExample> train = feedback(prompts);
      // held out as the trainer holds feedback out: other labels on the same prompts (here, choices
      // between pairs of replies never compared in training); a tiny model from random weights
      // does not reliably carry what it learned to prompts it never saw
      List<RewardExample> heldOut = new ArrayList<>();
      for (String prompt : prompts) {
        for (int i = 0; i < GOOD.length; i++) {
          heldOut.add(new RewardExample.Comparison(prompt, GOOD[i], BAD[(i + 2) % BAD.length]));
        }
      }
      RewardAccuracy before = RewardAccuracy.of(reward, heldOut, 0);
      double first = reward.trainStep(train, 1e-2f, 1.0);
      double last = first;
      for (int step = 0; step < 50; step++) {
        last = reward.trainStep(train, 1e-2f, 1.0);
      }
      assertTrue(last < first * 0.5, "loss " + first + " -> " + last);
      RewardAccuracy accuracy = RewardAccuracy.of(reward, heldOut, 0);
      assertEquals(0, accuracy.ratings());
      assertEquals(16, accuracy.comparisons());
      assertTrue(
          accuracy.overall() >= 0.9, "held-out " + accuracy + " (before training " + before + ")");
      assertTrue(reward.prefersFirst("What now?", "wonderful news", "so rude"));
    }
  }

  @Test
  void theLossIsBinaryCrossEntropyForRatingsAndBradleyTerryForPairs() {
    try (RewardModel reward = tiny()) {
      List<RewardExample> batch =
          List.of(
              new RewardExample.Rating("p", "yes", true),
              new RewardExample.Rating("p", "no", false),
              new RewardExample.Comparison("q", "fine", "poor"));
      double[] r =
          reward.score(
              List.of(
                  new PromptReply("p", "yes"),
                  new PromptReply("p", "no"),
                  new PromptReply("q", "fine"),
                  new PromptReply("q", "poor")));
      double expected =
          (softplus(-r[0]) + softplus(r[1]) + softplus(-(r[2] - r[3]))) / 3; // mean over examples
      boolean grad = GradMode.disable();
      try (NDScope ignored = new NDScope()) {
        assertEquals(expected, reward.lossFor(batch).getFloat(), 1e-5);
      } finally {
        GradMode.restore(grad);
      }
    }
  }

  @Test
  void trainsInTheSameGradientCollectorAsThePolicy() {
    try (GptLanguageModel policy = TinyModels.create();
        AdamW policyOptimizer = new AdamW(AdamW.Settings.defaults(), policy.manager());
        RewardModel reward = tiny()) {
      WeightSnapshot rewardBefore = reward.snapshot();
      SequenceScorer.Collated batch =
          SequenceScorer.collate(
              List.of(ChatEncoding.example(policy.tokenizer(), "Hi", "Hello there.")),
              policy.contextLength(),
              policy.tokenizer().padId());

      // one collector for the whole step: policy loss and reward loss both backpropagated in it
      try (NDScope ignored = new NDScope();
          GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray policyLoss =
            SequenceScorer.sumLogProbs(policy, policy.liveParameters(), batch, true).sum().neg();
        collector.backward(policyLoss);
        collector.backward(reward.lossFor(feedback("Hi")));
      }
      assertAllHaveGradients(policy.block().getParameters());
      assertAllHaveGradients(reward.parameters());

      policyOptimizer.update(policy.block().getParameters(), 1e-3f);
      reward.applyGradients(1e-3f, 1.0);
      assertEquals(1, reward.optimizer().step());
      List<NDArray> old = rewardBefore.namedArrays();
      int index = 0;
      for (Pair<String, Parameter> entry : reward.parameters()) {
        try (NDScope ignored = new NDScope()) {
          float change = entry.getValue().getArray().sub(old.get(index++)).abs().max().getFloat();
          assertTrue(change > 0, entry.getKey() + " did not change");
        }
      }
      rewardBefore.release();
    }
  }

  @Test
  void manyRepliesAreScoredInChunksLikeEachAlone() {
    try (RewardModel reward = tiny()) {
      List<PromptReply> items = new ArrayList<>();
      for (int i = 0; i < RewardModel.SCORE_BATCH + 5; i++) {
        items.add(
            new PromptReply("Question " + i, i % 2 == 0 ? GOOD[i % 4] : BAD[i % 4] + " " + i));
      }
      double[] together = reward.score(items);
      assertEquals(items.size(), together.length);
      for (int i = 0; i < items.size(); i += 7) {
        assertEquals(reward.score(List.of(items.get(i)))[0], together[i], 1e-4, "reply " + i);
      }
      assertEquals(0, reward.score(List.of()).length);
    }
  }

  @Test
  void theTrunkCanStartFromThePolicyWeights() {
    try (GptLanguageModel policy = TinyModels.create();
        RewardModel reward = tiny()) {
      WeightSnapshot base = WeightSnapshot.copyOf(policy.block(), Device.cpu());
      reward.initializeTrunkFrom(base);
      base.release();
      String name = "trunk_token_embedding";
      NDArray fromPolicy = policy.block().getParameters().get("token_embedding").getArray();
      for (Pair<String, Parameter> entry : reward.parameters()) {
        if (entry.getKey().equals(name)) {
          try (NDScope ignored = new NDScope()) {
            assertEquals(0f, entry.getValue().getArray().sub(fromPolicy).abs().max().getFloat());
          }
        }
      }
    }
  }

  @Test
  void theSimulatedAnnotatorStandsInAsARewardSource() {
    SimulatedAnnotator annotator = SimulatedAnnotator.positiveSentiment();
    RewardSource source = new AnnotatorRewards(annotator);
    String warm = "What a lovely morning, I am so glad you came to see us.";
    String cold = "It was a dull and miserable visit, and I hated it.";
    assertEquals(annotator.score(warm), source.score("any prompt", warm));
    assertTrue(source.prefersFirst("p", warm, cold));
  }

  private static void assertAllHaveGradients(ai.djl.util.PairList<String, Parameter> parameters) {
    for (Pair<String, Parameter> entry : parameters) {
      try (NDScope ignored = new NDScope()) {
        float size = entry.getValue().getArray().getGradient().abs().max().getFloat();
        assertTrue(size > 0, entry.getKey() + " got no gradient");
      }
    }
  }

  private static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }
}
