package sail.server.training.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The autograd surrogate's gradients equal the pure derivatives of {@link SailLoss}, averaged over
 * the batch. Runs one gradient collector at a time (DJL allows one per JVM).
 */
class SurrogateLossTest {
  private static final double TOLERANCE = 1e-5;

  /** Backward through the surrogate of {@code config}; (∂/∂ℓ_w, ∂/∂ℓ_l) per row and the loss. */
  private static double[][] autogradOf(
      ObjectiveConfig config, List<Route> routes, List<PairLogProbs> pairs) {
    int n = pairs.size();
    float[][] columns = new float[4][n];
    for (int i = 0; i < n; i++) {
      PairLogProbs p = pairs.get(i);
      columns[0][i] = (float) p.policyChosen();
      columns[1][i] = (float) p.policyRejected();
      columns[2][i] = (float) p.refChosen();
      columns[3][i] = (float) p.refRejected();
    }
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray lw = manager.create(columns[0], new Shape(n));
      NDArray ll = manager.create(columns[1], new Shape(n));
      NDArray rw = manager.create(columns[2], new Shape(n));
      NDArray rl = manager.create(columns[3], new Shape(n));
      lw.setRequiresGradient(true);
      ll.setRequiresGradient(true);
      double loss;
      try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
        SurrogateLoss.Surrogate surrogate =
            SurrogateLoss.build(config, routes, new LogProbBatch(lw, ll, rw, rl));
        assertEquals(DataType.FLOAT32, surrogate.objective().getDataType());
        collector.backward(surrogate.objective());
        loss = surrogate.loss().getFloat();
      }
      double[] dw = toDoubles(lw.getGradient().toFloatArray());
      double[] dl = toDoubles(ll.getGradient().toFloatArray());
      return new double[][] {dw, dl, {loss}};
    }
  }

  private static double[] toDoubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** The pure batch evaluated on the same fp32-rounded inputs the tensors hold. */
  private static BatchLoss pure(
      ObjectiveConfig config, List<Route> routes, List<PairLogProbs> pairs) {
    List<PreferenceRow> rows = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      PairLogProbs p = pairs.get(i);
      PairLogProbs rounded =
          new PairLogProbs(
              (float) p.policyChosen(),
              (float) p.policyRejected(),
              (float) p.refChosen(),
              (float) p.refRejected());
      rows.add(PreferenceRow.of(routes.get(i), rounded));
    }
    return BatchObjective.evaluate(config, rows);
  }

  private static void assertSameGradients(
      ObjectiveConfig config, List<Route> routes, List<PairLogProbs> pairs) {
    double[][] autograd = autogradOf(config, routes, pairs);
    BatchLoss expected = pure(config, routes, pairs);
    for (int i = 0; i < pairs.size(); i++) {
      String where = config + " row " + i + " " + routes.get(i) + " " + pairs.get(i);
      assertEquals(expected.dChosen()[i], autograd[0][i], TOLERANCE, "∂/∂ℓ_w, " + where);
      assertEquals(expected.dRejected()[i], autograd[1][i], TOLERANCE, "∂/∂ℓ_l, " + where);
    }
    assertEquals(expected.loss(), autograd[2][0], 1e-5 * Math.max(1, expected.loss()), "loss");
  }

  @Test
  void testVectorsAsOneBatch() {
    ObjectiveConfig config =
        ObjectiveConfig.of(MixtureWeights.OFFLINE, new GradientCoefficients(0.2, 0.2, 0.3));
    PairLogProbs ab = new PairLogProbs(-50, -60, -55, -58);
    PairLogProbs cd = new PairLogProbs(-120, -100, -110, -105);
    PairLogProbs e = new PairLogProbs(-100, -20, -60, -60);
    List<Route> routes = List.of(Route.OFFLINE_DPO, Route.DDP, Route.DPP, Route.DPR, Route.DDP);
    List<PairLogProbs> pairs = List.of(ab, ab, cd, cd, e);

    double[][] autograd = autogradOf(config, routes, pairs);
    double[] dpoB = {-0.033181, -0.030506, -0.053937, -0.081757, 0.059987};
    double[] termA = {0, 0, 0.340283, 0.510424, 0};
    for (int i = 0; i < 5; i++) {
      assertEquals((dpoB[i] + termA[i]) / 5, autograd[0][i], 1e-6, "∂/∂ℓ_w row " + i);
      assertEquals((-dpoB[i] + termA[i]) / 5, autograd[1][i], 1e-6, "∂/∂ℓ_l row " + i);
    }
    assertEquals((0.403186 + 0.386930 + 1.411933 + 1.701413 + 1.599799) / 5, autograd[2][0], 1e-5);
  }

  @Test
  void everyVariantMatchesThePureDerivatives() {
    SplittableRandom random = new SplittableRandom(17);
    int n = 24;
    List<Route> routes = new ArrayList<>();
    List<PairLogProbs> pairs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      routes.add(Route.values()[i % 4]);
      // margins β·h in about [−15, 15] so that some DDP/DPP rows pass the clamp
      double refW = -20 - 100 * random.nextDouble();
      double refL = -20 - 100 * random.nextDouble();
      pairs.add(
          new PairLogProbs(
              refW - 75 + 150 * random.nextDouble(),
              refL - 75 + 150 * random.nextDouble(),
              refW,
              refL));
    }
    for (TermAForm form : TermAForm.values()) {
      for (BaselineMode baseline : BaselineMode.values()) {
        for (ClampMode clamp : ClampMode.values()) {
          ObjectiveConfig config =
              new ObjectiveConfig(
                  0.1,
                  new MixtureWeights(0.3, 0.3, 0.3),
                  new GradientCoefficients(0.4, 0.3, 0.5),
                  form,
                  baseline,
                  clamp,
                  0);
          assertSameGradients(config, routes, pairs);
        }
      }
    }
  }

  @Test
  void equalPolicyAndReferenceGiveHalfTheDpoGradient() {
    // at the first step h = 0 exactly: the gradient must be β·σ(0) = β/2, not a subgradient
    PairLogProbs start = new PairLogProbs(-40, -30, -40, -30);
    double[][] autograd =
        autogradOf(ObjectiveConfig.dpo(), List.of(Route.OFFLINE_DPO), List.of(start));
    assertEquals(-0.05, autograd[0][0], 1e-7);
    assertEquals(0.05, autograd[1][0], 1e-7);
  }

  @Test
  void reverseKlGradientIsMinusLambdaOverTokens() {
    float[] policy = {-1f, -2f, -0.5f, -3f, -1f, -1f};
    float[] ref = {-1.5f, -1f, -0.5f, -2f, -4f, -4f};
    float[] mask = {1, 1, 1, 1, 0, 0};
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray p = manager.create(policy, new Shape(2, 3));
      p.setRequiresGradient(true);
      NDArray r = manager.create(ref, new Shape(2, 3));
      NDArray m = manager.create(mask, new Shape(2, 3));
      double value;
      try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray term = SurrogateLoss.reverseKl(p, r, m, 1e-3);
        collector.backward(term);
        value = term.getFloat();
      }
      double row0 =
          ReverseKl.of(new double[] {-1, -2, -0.5}, new double[] {-1.5, -1, -0.5}, 1e-3).value();
      double row1 = ReverseKl.of(new double[] {-3}, new double[] {-2}, 1e-3).value();
      assertEquals((row0 + row1) / 2, value, 1e-9);
      float[] gradient = p.getGradient().toFloatArray();
      float[] expected = {-1e-3f / 3 / 2, -1e-3f / 3 / 2, -1e-3f / 3 / 2, -1e-3f / 2, 0, 0};
      for (int t = 0; t < expected.length; t++) {
        assertEquals(expected[t], gradient[t], 1e-9, "token " + t);
      }
    }
  }
}
