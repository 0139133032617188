package sail.server.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sail.server.model.GptLanguageModel;
import sail.server.model.GradMode;
import sail.server.model.TinyModels;
import sail.server.model.Tokenizer;

class DecodeBatchTest {
  private static GptLanguageModel model;
  private static Tokenizer tokenizer;

  @BeforeAll
  static void createModel() {
    model = TinyModels.create();
    tokenizer = model.tokenizer();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static int[] prompt(String text) {
    return tokenizer.encodeChatPrompt(List.of(ChatMessage.user(text)));
  }

  private static List<GenerationResult> generate(
      List<int[]> prompts, List<SamplingParams> params, int maxBatch) {
    return BatchGenerator.generate(model, model.liveParameters(), 7, prompts, params, maxBatch);
  }

  @Test
  void batchedGreedyEqualsOneAtATimeForDifferentLengths() {
    List<int[]> prompts = List.of(prompt("Hi"), prompt("How do you do, sir?"), prompt("Yes."));
    List<SamplingParams> greedy =
        List.of(SamplingParams.greedy(12), SamplingParams.greedy(12), SamplingParams.greedy(12));
    List<GenerationResult> batched = generate(prompts, greedy, 8);
    for (int i = 0; i < prompts.size(); i++) {
      GenerationResult alone = generate(List.of(prompts.get(i)), List.of(greedy.get(i)), 1).get(0);
      assertArrayEquals(alone.tokens(), batched.get(i).tokens(), "prompt " + i);
      float[] a = alone.tokenLogProbs();
      float[] b = batched.get(i).tokenLogProbs();
      for (int t = 0; t < a.length; t++) {
        assertEquals(a[t], b[t], 1e-4, "log-prob of token " + t + " of prompt " + i);
      }
    }
  }

  @Test
  void sequencesWithOnePromptShareItsPrefillAndDecodeAsIfAlone() {
    int[] shared = prompt("Will you walk with me?");
    int[] other = prompt("No.");
    List<DecodeSequence> joining = new ArrayList<>();
    List<SamplingParams> params = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      params.add(SamplingParams.sampled(1.0, 10, 100 + i));
    }
    joining.add(new DecodeSequence(shared, params.get(0), tokenizer, null, 0));
    joining.add(new DecodeSequence(other, params.get(1), tokenizer, null, 1));
    joining.add(new DecodeSequence(shared.clone(), params.get(2), tokenizer, null, 2));
    joining.add(new DecodeSequence(shared, params.get(3), tokenizer, null, 3));
    try (Prefill prefill = Prefill.run(model, model.liveParameters(), 7, joining)) {
      assertEquals(2, prefill.promptsComputed, "equal prompts go through the model once");
      assertEquals(4, prefill.cache.batch(), "each sequence gets its own copy of the rows");
    }
    // each sequence, sampled with its own seed, decodes as it does alone
    List<GenerationResult> together =
        generate(List.of(shared, other, shared.clone(), shared), params, 8);
    for (int i = 0; i < 4; i++) {
      int[] alone = i == 1 ? other : shared;
      GenerationResult single = generate(List.of(alone), List.of(params.get(i)), 1).get(0);
      assertArrayEquals(single.tokens(), together.get(i).tokens(), "sequence " + i);
    }
    assertFalse(
        java.util.Arrays.equals(together.get(0).tokens(), together.get(2).tokens())
            && java.util.Arrays.equals(together.get(0).tokens(), together.get(3).tokens()),
        "different seeds sample different replies from the shared prompt");
  }

  @Test
  void copiesOfAPromptJoinTogetherOrWaitForRoom() {
    int[] a = prompt("Will you walk with me?");
    int[] b = prompt("No.");
    java.util.Deque<DecodeSequence> waiting = new java.util.ArrayDeque<>();
    for (int[] p : List.of(a, a.clone(), a, b, b)) {
      waiting.add(new DecodeSequence(p, SamplingParams.greedy(4), tokenizer, null, 0));
    }
    assertEquals(3, BatchGenerator.admissible(waiting, 8, 8), "the head's whole run of copies");
    assertEquals(3, BatchGenerator.admissible(waiting, 3, 8), "a run that just fits");
    assertEquals(0, BatchGenerator.admissible(waiting, 2, 8), "waits rather than split the run");
    assertEquals(2, BatchGenerator.admissible(waiting, 2, 2), "a run longer than the batch splits");
    assertEquals(0, BatchGenerator.admissible(waiting, 0, 8), "no free row");
    waiting.poll();
    waiting.poll();
    waiting.poll();
    assertEquals(2, BatchGenerator.admissible(waiting, 5, 8));
    // replies still decode as alone when copies wait for room: 3 rows, runs of 2
    List<int[]> prompts = List.of(a, a, b, b, a, a);
    List<SamplingParams> params = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      params.add(SamplingParams.sampled(1.0, 6 + i, 300 + i));
    }
    List<GenerationResult> grouped = generate(prompts, params, 3);
    for (int i = 0; i < prompts.size(); i++) {
      GenerationResult single = generate(List.of(prompts.get(i)), List.of(params.get(i)), 1).get(0);
      assertArrayEquals(single.tokens(), grouped.get(i).tokens(), "sequence " + i);
    }
  }

  @Test
  void continuousBatchingWithJoinsAndLeavesMatchesIsolatedRuns() {
    // max batch 2 forces later prompts to join while others are mid-flight
    List<int[]> prompts = new ArrayList<>();
    List<SamplingParams> params = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      prompts.add(prompt("Prompt number " + i + "!".repeat(i)));
      params.add(new SamplingParams(0.9, 0, 1, 4 + 3 * i, List.of(), 100 + i));
    }
    List<GenerationResult> rolling = generate(prompts, params, 2);
    for (int i = 0; i < prompts.size(); i++) {
      GenerationResult alone = generate(List.of(prompts.get(i)), List.of(params.get(i)), 1).get(0);
      assertArrayEquals(alone.tokens(), rolling.get(i).tokens(), "prompt " + i);
    }
  }

  @Test
  void joinersTakingFinishedRowsInPlaceMatchIsolatedRuns() {
    // 8 slots and replies of different lengths: joiners often find 1-3 finished rows to reuse
    List<int[]> prompts = new ArrayList<>();
    List<SamplingParams> params = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      prompts.add(prompt("Row " + i + " says" + ".".repeat(i % 7)));
      params.add(new SamplingParams(1.0, 0, 1, 3 + (i * 5) % 17, List.of(), 500 + i));
    }
    List<GenerationResult> rolling = generate(prompts, params, 8);
    for (int i = 0; i < prompts.size(); i++) {
      GenerationResult alone = generate(List.of(prompts.get(i)), List.of(params.get(i)), 1).get(0);
      assertArrayEquals(alone.tokens(), rolling.get(i).tokens(), "prompt " + i);
    }
  }

  @Test
  void longRunningBatchMovingItsTimeAxisBackMatchesIsolatedRuns() {
    // 3 slots kept busy for several context lengths of steps: the shared time axis reaches the
    // end of the cache and moves back, rows leave from the middle and joiners refill them
    int context = model.contextLength();
    List<int[]> prompts = new ArrayList<>();
    List<SamplingParams> params = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      prompts.add(prompt("Long run " + i + "?".repeat(i % 5)));
      params.add(new SamplingParams(1.0, 0, 1, context / 2 + (i * 7) % 11, List.of(), 900 + i));
    }
    List<GenerationResult> rolling = generate(prompts, params, 3);
    int steps = 0;
    for (int i = 0; i < prompts.size(); i++) {
      GenerationResult alone = generate(List.of(prompts.get(i)), List.of(params.get(i)), 1).get(0);
      assertArrayEquals(alone.tokens(), rolling.get(i).tokens(), "prompt " + i);
      steps += alone.completionTokens();
    }
    assertTrue(steps / 3 > 2 * context, "the run must outlast the cache's columns: " + steps);
  }

  @Test
  void sameSeedSameOutputDifferentSeedsDiffer() {
    int[] p = prompt("Tell me something.");
    SamplingParams a = new SamplingParams(1.0, 0, 1, 20, List.of(), 5);
    SamplingParams b = new SamplingParams(1.0, 0, 1, 20, List.of(), 6);
    List<GenerationResult> results = generate(List.of(p, p, p), List.of(a, a, b), 4);
    assertArrayEquals(results.get(0).tokens(), results.get(1).tokens());
    assertFalse(
        java.util.Arrays.equals(results.get(0).tokens(), results.get(2).tokens()),
        "different seeds should give different samples");
    assertEquals(7, results.get(0).modelVersion());
  }

  @Test
  void maxNewTokensEndsWithLength() {
    GenerationResult result =
        generate(List.of(prompt("x")), List.of(new SamplingParams(1.0, 0, 1, 5, List.of(), 1)), 1)
            .get(0);
    if (result.finishReason() == FinishReason.LENGTH) {
      assertEquals(5, result.completionTokens());
    } else {
      assertTrue(result.completionTokens() <= 5);
    }
  }

  @Test
  void contextLengthBoundsPromptPlusReply() {
    int[] longPrompt = prompt("a".repeat(200));
    GenerationResult result =
        generate(List.of(longPrompt), List.of(new SamplingParams(1.0, 0, 1, 100, List.of(), 3)), 1)
            .get(0);
    assertTrue(
        result.completionTokens() <= model.contextLength(),
        "reply fits the context: " + result.completionTokens());
  }

  @Test
  void stopSequenceEndsTheReplyAndIsRemoved() {
    // greedy output of the tiny model is deterministic; stop on its second character
    GenerationResult free =
        generate(List.of(prompt("stop test")), List.of(SamplingParams.greedy(10)), 1).get(0);
    if (free.text().length() < 3) {
      return; // the untrained model ended its reply at once; nothing to stop
    }
    String stop = free.text().substring(1, 2);
    GenerationResult stopped =
        generate(
                List.of(prompt("stop test")),
                List.of(new SamplingParams(0, 0, 1, 10, List.of(stop), 0)),
                1)
            .get(0);
    assertEquals(FinishReason.STOP, stopped.finishReason());
    assertEquals(free.text().substring(0, free.text().indexOf(stop)), stopped.text());
  }

  @Test
  void cancelledSequenceLeavesBeforeTheNextStep() {
    try (DecodeBatch batch = new DecodeBatch(model, model.liveParameters(), 1, 4)) {
      DecodeSequence a =
          new DecodeSequence(prompt("one"), SamplingParams.sampled(1, 40, 1), tokenizer, null, 0);
      DecodeSequence b =
          new DecodeSequence(prompt("two"), SamplingParams.sampled(1, 40, 2), tokenizer, null, 1);
      batch.admit(List.of(a, b));
      batch.step();
      int before = batch.size();
      a.cancel();
      batch.step();
      assertTrue(a.isFinished());
      assertEquals(FinishReason.CANCELLED, a.result().finishReason());
      assertEquals(before - 1, batch.size() + (b.isFinished() ? -1 : 0) + 0 * before);
    }
  }

  @Test
  void decodingLeavesGradModeAsItWas() {
    boolean before = GradMode.isEnabled();
    generate(List.of(prompt("grad")), List.of(SamplingParams.greedy(3)), 1);
    assertEquals(before, GradMode.isEnabled());
  }
}
