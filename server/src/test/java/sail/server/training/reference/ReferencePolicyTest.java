package sail.server.training.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sail.server.model.GptLanguageModel;
import sail.server.model.GradMode;
import sail.server.model.SequenceScorer;
import sail.server.model.TinyModels;
import sail.server.model.WeightSnapshot;
import sail.server.training.AdamW;
import sail.server.training.ChatEncoding;
import sail.server.training.mixture.PreferencePair;

class ReferencePolicyTest {
  private static final List<PreferencePair> PAIRS =
      List.of(
          new PreferencePair("p0", "How was the ball?", "Delightful, thank you.", "Dull."),
          new PreferencePair("p1", "Any news?", "Good news!", "None at all, I fear."),
          new PreferencePair("p2", "Hi", "Hello there.", "Go away."));

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void cachedValuesEqualRecomputedOnesAndHitTheCache(boolean entropy) {
    try (GptLanguageModel model = TinyModels.create()) {
      WeightSnapshot base = WeightSnapshot.copyOf(model.block(), Device.cpu());
      // batches of 2 sequences: the pairs are split across batches of mixed lengths
      try (ReferencePolicy reference =
          new ReferencePolicy(model, base, 0, new ReferencePolicy.Settings(2, true, entropy))) {
        base.release(); // the reference holds its own reference
        reference.precompute(PAIRS);
        assertEquals(3, reference.cachedPairs());

        for (PreferencePair pair : PAIRS) {
          ReferencePolicy.PairScores cached = reference.cached(pair.id());
          assertCloseToAlone(model, reference, pair.prompt(), pair.chosen(), cached.chosen());
          assertCloseToAlone(model, reference, pair.prompt(), pair.rejected(), cached.rejected());
        }
        List<ReferencePolicy.PairScores> again = reference.pairs(PAIRS);
        for (int i = 0; i < PAIRS.size(); i++) {
          assertSame(reference.cached(PAIRS.get(i).id()), again.get(i));
        }
      }
    }
  }

  /** One example scored alone, with the plain scorer, equals what the batched cache holds. */
  private static void assertCloseToAlone(
      GptLanguageModel model,
      ReferencePolicy reference,
      String prompt,
      String reply,
      ReferencePolicy.Scored cached) {
    SequenceScorer.Example example = ChatEncoding.example(model.tokenizer(), prompt, reply);
    SequenceScorer.Collated alone =
        SequenceScorer.collate(List.of(example), model.contextLength(), model.tokenizer().padId());
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      float[] tokens =
          SequenceScorer.tokenLogProbs(model, reference.weights(), alone, false).toFloatArray();
      List<Float> response = new ArrayList<>();
      for (int t = 0; t < alone.time(); t++) {
        if (alone.mask()[t] != 0) {
          response.add(tokens[t]);
        }
      }
      assertEquals(example.response().length, cached.tokens().length);
      for (int i = 0; i < response.size(); i++) {
        assertEquals(response.get(i), cached.tokens()[i], 1e-4);
      }
      float sum = SequenceScorer.sumLogProbs(model, reference.weights(), alone, false).getFloat();
      assertEquals(sum, cached.sum(), 1e-3);
      if (reference.computesEntropy()) {
        float entropy =
            SequenceScorer.tokenScores(model, reference.weights(), alone, false, true)
                .entropies()
                .sum()
                .getFloat();
        assertEquals(entropy, cached.entropy(), 1e-3);
      } else {
        assertTrue(Double.isNaN(cached.entropy()), "no entropy unless asked for");
      }
      assertEquals(sum, reference.sumLogProbs(List.of(example))[0], 1e-3);
    } finally {
      GradMode.restore(grad);
    }
  }

  @Test
  void theReferenceReceivesNoGradientAndStaysFrozenWhileThePolicyTrains() {
    try (GptLanguageModel model = TinyModels.create();
        AdamW optimizer = new AdamW(AdamW.Settings.defaults(), model.manager())) {
      WeightSnapshot base = WeightSnapshot.copyOf(model.block(), Device.cpu());
      try (ReferencePolicy reference =
          new ReferencePolicy(model, base, 0, ReferencePolicy.Settings.defaults())) {
        base.release();
        List<SequenceScorer.Example> examples = new ArrayList<>();
        for (PreferencePair pair : PAIRS) {
          examples.add(ChatEncoding.example(model.tokenizer(), pair.prompt(), pair.chosen()));
        }
        SequenceScorer.Collated batch =
            SequenceScorer.collate(examples, model.contextLength(), model.tokenizer().padId());
        double[] before = reference.sumLogProbs(examples);

        try (NDScope ignored = new NDScope();
            GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
          NDArray policy = SequenceScorer.sumLogProbs(model, model.liveParameters(), batch, true);
          // scored inside the collector: the reference must not join the graph
          double[] ref = reference.sumLogProbs(examples);
          assertTrue(GradMode.isEnabled(), "scoring the reference must restore grad mode");
          NDArray refArray = model.manager().create(toFloats(ref));
          assertFalse(refArray.hasGradient());
          collector.backward(policy.sub(refArray).sum().neg());
        }
        for (NDArray frozen : base.namedArrays()) {
          assertFalse(frozen.hasGradient(), frozen.getName() + " has a gradient");
        }
        for (Pair<String, Parameter> entry : model.block().getParameters()) {
          NDArray gradient = entry.getValue().getArray().getGradient();
          assertTrue(gradient.abs().max().getFloat() > 0, entry.getKey() + " got no gradient");
        }
        optimizer.update(model.block().getParameters(), 1e-2f);

        assertArrayEquals(before, reference.sumLogProbs(examples), 0.0);
        double[] policyAfter;
        boolean grad = GradMode.disable();
        try (NDScope ignored = new NDScope()) {
          policyAfter =
              toDoubles(
                  SequenceScorer.sumLogProbs(model, model.liveParameters(), batch, false)
                      .toFloatArray());
        } finally {
          GradMode.restore(grad);
        }
        assertNotEquals(before[0], policyAfter[0], 1e-6);
      }
    }
  }

  @Test
  void tokenArrayPlacesValuesAtResponsePositions() {
    SequenceScorer.Collated batch =
        SequenceScorer.collate(
            List.of(
                new SequenceScorer.Example(new int[] {1, 2}, new int[] {3, 4}),
                new SequenceScorer.Example(new int[] {1}, new int[] {5, 6, 7})),
            16,
            0);
    try (GptLanguageModel model = TinyModels.create()) {
      float[] laid =
          ReferencePolicy.tokenArray(
                  model.manager(), batch, List.of(new float[] {-1, -2}, new float[] {-3, -4, -5}))
              .toFloatArray();
      // time = 3; row 0 targets 2,3,4 (response 3,4 at t = 1,2); row 1 targets 5,6,7
      assertArrayEquals(new float[] {0, -1, -2, -3, -4, -5}, laid);
    }
  }

  private static float[] toFloats(double[] values) {
    float[] floats = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      floats[i] = (float) values[i];
    }
    return floats;
  }

  private static double[] toDoubles(float[] values) {
    double[] doubles = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      doubles[i] = values[i];
    }
    return doubles;
  }
}
