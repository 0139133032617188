package sail.server.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SequenceScorerTest {
  private static final int PAD = ByteTokenizer.PAD;
  private static GptLanguageModel model;

  @BeforeAll
  static void createModel() {
    model = TinyModels.create();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void collateShiftsPadsAndMasksTheResponse() {
    // prompt [1 2 3], response [4 5]: inputs 1 2 3 4, targets 2 3 4 5, response targets = 4, 5
    // second row: prompt [7], response [8]: inputs 7, targets 8
    SequenceScorer.Collated batch =
        SequenceScorer.collate(
            List.of(
                new SequenceScorer.Example(new int[] {1, 2, 3}, new int[] {4, 5}),
                new SequenceScorer.Example(new int[] {7}, new int[] {8})),
            48,
            PAD);
    assertEquals(4, batch.time());
    assertArrayEquals(new long[] {1, 2, 3, 4, 7, PAD, PAD, PAD}, batch.inputs());
    assertArrayEquals(new long[] {2, 3, 4, 5, 8, PAD, PAD, PAD}, batch.targets());
    assertArrayEquals(new float[] {0, 0, 1, 1, 1, 0, 0, 0}, batch.mask());
    assertArrayEquals(new int[] {2, 1}, batch.responseTokens());
  }

  @Test
  void overLongExamplesKeepTheResponseAndTheRecentPrompt() {
    int[] prompt = new int[60];
    for (int i = 0; i < prompt.length; i++) {
      prompt[i] = i;
    }
    SequenceScorer.Collated batch =
        SequenceScorer.collate(
            List.of(new SequenceScorer.Example(prompt, new int[] {100, 101})), 48, PAD);
    assertEquals(47, batch.time());
    assertEquals(14, batch.inputs()[0], "oldest prompt tokens dropped: 60 + 2 - 48 = 14");
    assertEquals(2, batch.responseTokens()[0]);
  }

  @Test
  void scoreEqualsManualSumOfTokenLogSoftmax() {
    int[] prompt = {257, 260, 65, 66, 258, 261};
    int[] response = {67, 68, 69, 258};
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      SequenceScorer.Collated batch =
          SequenceScorer.collate(List.of(new SequenceScorer.Example(prompt, response)), 48, PAD);
      float score =
          SequenceScorer.sumLogProbs(model, model.liveParameters(), batch, false).getFloat(0);
      float entropy =
          SequenceScorer.tokenScores(model, model.liveParameters(), batch, false, true)
              .entropies()
              .sum()
              .getFloat();

      long[] inputs = new long[prompt.length + response.length - 1];
      int[] all = new int[prompt.length + response.length];
      System.arraycopy(prompt, 0, all, 0, prompt.length);
      System.arraycopy(response, 0, all, prompt.length, response.length);
      for (int i = 0; i < inputs.length; i++) {
        inputs[i] = all[i];
      }
      float[] logits =
          model
              .logits(
                  model.liveParameters(),
                  model.manager().create(inputs, new Shape(1, inputs.length)),
                  false)
              .toFloatArray();
      int vocab = ByteTokenizer.VOCAB_SIZE;
      double manual = 0;
      double manualEntropy = 0;
      for (int t = prompt.length - 1; t < inputs.length; t++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
          max = Math.max(max, logits[t * vocab + v]);
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
          sum += Math.exp(logits[t * vocab + v] - max);
        }
        manual += logits[t * vocab + all[t + 1]] - max - Math.log(sum);
        for (int v = 0; v < vocab; v++) {
          double logP = logits[t * vocab + v] - max - Math.log(sum);
          manualEntropy -= Math.exp(logP) * logP;
        }
      }
      assertEquals(manual, score, 1e-4);
      assertEquals(manualEntropy, entropy, 1e-4, "entropy summed over the response positions");
    } finally {
      GradMode.restore(grad);
    }
  }

  @Test
  void scoresDoNotDependOnPaddingOrBatchCompanions() {
    SequenceScorer.Example shortOne =
        new SequenceScorer.Example(new int[] {257, 260, 72, 258, 261}, new int[] {105, 258});
    SequenceScorer.Example longOne =
        new SequenceScorer.Example(
            new int[] {257, 260, 72, 101, 108, 108, 111, 258, 261},
            new int[] {87, 111, 114, 108, 100, 258});
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      float alone =
          SequenceScorer.sumLogProbs(
                  model,
                  model.liveParameters(),
                  SequenceScorer.collate(List.of(shortOne), 48, PAD),
                  false)
              .getFloat(0);
      float[] together =
          SequenceScorer.sumLogProbs(
                  model,
                  model.liveParameters(),
                  SequenceScorer.collate(List.of(shortOne, longOne), 48, PAD),
                  false)
              .toFloatArray();
      assertEquals(alone, together[0], 1e-4);
    } finally {
      GradMode.restore(grad);
    }
  }

  /** Sixteen examples of 4 to 40 tokens in shuffled order. */
  private static List<SequenceScorer.Example> mixedLengths() {
    SplittableRandom random = new SplittableRandom(7);
    List<SequenceScorer.Example> examples = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      int promptLength = 2 + random.nextInt(i % 2 == 0 ? 4 : 24);
      int responseLength = 2 + random.nextInt(i % 3 == 0 ? 3 : 14);
      int[] prompt = new int[promptLength];
      int[] response = new int[responseLength];
      for (int t = 0; t < promptLength; t++) {
        prompt[t] = 32 + random.nextInt(90);
      }
      for (int t = 0; t < responseLength; t++) {
        response[t] = 32 + random.nextInt(90);
      }
      examples.add(new SequenceScorer.Example(prompt, response));
    }
    return examples;
  }

  @Test
  void lengthBatchesGroupSimilarLengthsAndPadLess() {
    List<SequenceScorer.Example> examples = mixedLengths();
    SequenceScorer.Buckets one = SequenceScorer.collateByLength(examples, 48, PAD, 1);
    SequenceScorer.Buckets four = SequenceScorer.collateByLength(examples, 48, PAD, 4);

    assertEquals(1, one.batches().size());
    assertEquals(16L * one.batches().get(0).time(), one.positions());
    assertTrue(four.batches().size() > 1, "mixed lengths are worth splitting");
    assertTrue(four.positions() < one.positions(), four.positions() + " vs " + one.positions());
    // every example in exactly one batch; batches ordered from short to long
    boolean[] seen = new boolean[examples.size()];
    int previousTime = 0;
    for (int k = 0; k < four.batches().size(); k++) {
      for (int member : four.rows().get(k)) {
        assertTrue(!seen[member], "example " + member + " twice");
        seen[member] = true;
      }
      assertTrue(four.batches().get(k).time() >= previousTime);
      previousTime = four.batches().get(k).time();
    }
    for (boolean s : seen) {
      assertTrue(s);
    }
    assertArrayEquals(one.responseTokens(), four.responseTokens());

    // equal lengths: one batch, since another would only add its overhead
    List<SequenceScorer.Example> same = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      same.add(new SequenceScorer.Example(new int[] {1, 2, 3}, new int[] {4, 5}));
    }
    assertEquals(1, SequenceScorer.collateByLength(same, 48, PAD, 4).batches().size());
  }

  @Test
  void lengthBatchesScoreAndDifferentiateLikeOnePaddedBatch() {
    List<SequenceScorer.Example> examples = mixedLengths();
    SequenceScorer.Buckets one = SequenceScorer.collateByLength(examples, 48, PAD, 1);
    SequenceScorer.Buckets four = SequenceScorer.collateByLength(examples, 48, PAD, 4);
    float[] weights = new float[examples.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (i % 3) - 1f; // a loss that treats the rows differently, so order matters
    }
    List<float[]> gradients = new ArrayList<>();
    List<float[]> sums = new ArrayList<>();
    List<float[]> entropies = new ArrayList<>();
    for (SequenceScorer.Buckets buckets : List.of(one, four)) {
      try (NDScope ignored = new NDScope()) {
        entropies.add(
            SequenceScorer.rowScores(model, model.liveParameters(), buckets, false, true)
                .entropies()
                .toFloatArray());
      }
      try (NDScope ignored = new NDScope();
          GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray scores = SequenceScorer.sumLogProbs(model, model.liveParameters(), buckets, true);
        sums.add(scores.toFloatArray());
        collector.backward(scores.mul(model.manager().create(weights)).sum());
        List<Float> flat = new ArrayList<>();
        for (Pair<String, Parameter> entry : model.block().getParameters()) {
          for (float g : entry.getValue().getArray().getGradient().toFloatArray()) {
            flat.add(g);
          }
        }
        float[] g = new float[flat.size()];
        for (int i = 0; i < g.length; i++) {
          g[i] = flat.get(i);
        }
        gradients.add(g);
      }
      for (Pair<String, Parameter> entry : model.block().getParameters()) {
        entry.getValue().getArray().getGradient().subi(entry.getValue().getArray().getGradient());
      }
    }
    assertArrayEquals(sums.get(0), sums.get(1), 1e-4f);
    assertArrayEquals(entropies.get(0), entropies.get(1), 1e-4f, "entropy per example");
    float largest = 0;
    for (float g : gradients.get(0)) {
      largest = Math.max(largest, Math.abs(g));
    }
    assertTrue(largest > 0, "the loss reaches the weights");
    assertArrayEquals(gradients.get(0), gradients.get(1), 1e-4f * Math.max(1f, largest));
  }
}
