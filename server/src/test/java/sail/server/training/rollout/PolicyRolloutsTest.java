package sail.server.training.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sail.server.model.GptLanguageModel;
import sail.server.model.SequenceScorer;
import sail.server.model.TinyModels;
import sail.server.training.AdamW;
import sail.server.training.ChatEncoding;

class PolicyRolloutsTest {
  /** Each prompt's own answer: a model that learned these replies shows whose prompt it saw. */
  private static final Map<String, String> ANSWERS =
      Map.of("a", "AAAA", "bb", "BBBB", "ccc", "CCCC", "dddd", "DDDD", "eeeee", "EEEE");

  private static GptLanguageModel model;

  @BeforeAll
  static void learnOneAnswerPerPrompt() {
    // a fixed initialisation, independent of the tests that ran before in this JVM
    Engine.getEngine("PyTorch").setRandomSeed(20240601);
    model = TinyModels.create();
    List<SequenceScorer.Example> examples = new ArrayList<>();
    ANSWERS.forEach(
        (prompt, reply) -> examples.add(ChatEncoding.example(model.tokenizer(), prompt, reply)));
    SequenceScorer.Collated batch =
        SequenceScorer.collate(examples, model.contextLength(), model.tokenizer().padId());
    try (AdamW optimizer = new AdamW(AdamW.Settings.defaults(), model.manager())) {
      for (int step = 0; step < 40; step++) {
        try (NDScope ignored = new NDScope();
            GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
          NDArray loss =
              SequenceScorer.tokenLogProbs(model, model.liveParameters(), batch, true).sum().neg();
          collector.backward(loss);
        }
        optimizer.update(model.block().getParameters(), 3e-2f);
      }
    }
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void eachPairIsStoredWithItsOwnPrompt() {
    // more sequences (10) than the batch holds (3): slots are refilled out of order
    PolicyRollouts rollouts = new PolicyRollouts(model, new PolicyRollouts.Settings(0.9, 6, 3));
    List<String> prompts = List.of("dddd", "a", "eeeee", "bb", "ccc");
    List<RolloutPair> pairs = rollouts.sample(prompts, model.liveParameters(), 7, 99, 0);

    assertEquals(prompts.size(), pairs.size());
    for (int i = 0; i < prompts.size(); i++) {
      RolloutPair pair = pairs.get(i);
      String prompt = prompts.get(i);
      assertEquals(i, pair.index());
      assertEquals(prompt, pair.prompt());
      assertArrayEquals(ChatEncoding.prompt(model.tokenizer(), prompt), pair.promptTokens());
      assertEquals(7, pair.modelVersion());
      // each answer's letter identifies its prompt; how much of it a 40-step model reproduces
      // varies, so the pairing check looks at the letter
      String letter = ANSWERS.get(prompt).substring(0, 1);
      assertTrue(pair.first().text().startsWith(letter), prompt + " -> " + pair.first().text());
      assertTrue(pair.second().text().startsWith(letter), prompt + " -> " + pair.second().text());
      // the scored example is the prompt followed by the generated ids, untouched
      assertArrayEquals(pair.promptTokens(), pair.firstExample().prompt());
      assertArrayEquals(pair.first().tokens(), pair.firstExample().response());
    }
  }

  @Test
  void sampledRepliesAreSeededAndTheTwoRepliesDiffer() {
    PolicyRollouts rollouts = new PolicyRollouts(model, new PolicyRollouts.Settings(3.0, 8, 4));
    List<String> prompts = List.of("a", "bb", "ccc");
    List<RolloutPair> once = rollouts.sample(prompts, model.liveParameters(), 1, 5);
    List<RolloutPair> again = rollouts.sample(prompts, model.liveParameters(), 1, 5);
    int different = 0;
    for (int i = 0; i < prompts.size(); i++) {
      assertArrayEquals(once.get(i).first().tokens(), again.get(i).first().tokens());
      assertArrayEquals(once.get(i).second().tokens(), again.get(i).second().tokens());
      if (!once.get(i).first().text().equals(once.get(i).second().text())) {
        different++;
      }
      assertTrue(
          once.get(i).promptTokens().length + once.get(i).first().tokens().length
              <= model.contextLength());
    }
    assertNotEquals(0, different, "at temperature 3 the two replies of a prompt should differ");
  }

  @Test
  void longPromptsAreCutToLeaveRoomForTheReply() {
    PolicyRollouts rollouts = new PolicyRollouts(model, new PolicyRollouts.Settings(0.9, 8, 4));
    String longPrompt = "x".repeat(200);
    RolloutPair pair = rollouts.sample(List.of(longPrompt), model.liveParameters(), 0, 1).get(0);
    assertEquals(model.contextLength() - 8, pair.promptTokens().length);
    assertEquals(longPrompt, pair.prompt());
  }

  @Test
  void candidatesAreTheSampledPairsAndMoreFromTheSameSeed() {
    PolicyRollouts rollouts = new PolicyRollouts(model, new PolicyRollouts.Settings(3.0, 8, 4));
    List<String> prompts = List.of("a", "bb", "ccc");
    List<RolloutPair> pairs = rollouts.sample(prompts, model.liveParameters(), 2, 5);
    List<RolloutCandidates> two = rollouts.candidates(prompts, model.liveParameters(), 2, 5, 2);
    List<RolloutCandidates> four = rollouts.candidates(prompts, model.liveParameters(), 2, 5, 4);
    for (int i = 0; i < prompts.size(); i++) {
      assertArrayEquals(pairs.get(i).first().tokens(), two.get(i).replies().get(0).tokens());
      assertArrayEquals(pairs.get(i).second().tokens(), two.get(i).replies().get(1).tokens());
      assertEquals(4, four.get(i).replies().size());
      assertEquals(prompts.get(i), four.get(i).prompt());
      assertEquals(i, four.get(i).index());
      assertEquals(2, four.get(i).modelVersion());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> rollouts.candidates(prompts, model.liveParameters(), 2, 5, 1));
  }
}
