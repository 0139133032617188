package sail.server.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.List;
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
      }
      assertEquals(manual, score, 1e-4);
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
}
