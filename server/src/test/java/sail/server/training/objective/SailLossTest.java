package sail.server.training.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The per-example math of sail-objective.md, section 4, pinned by the vectors of section 6. */
class SailLossTest {
  private static final double BETA = 0.1;
  private static final double TOLERANCE = 1e-6;
  private static final PairLogProbs AB = new PairLogProbs(-50, -60, -55, -58);
  private static final PairLogProbs CD = new PairLogProbs(-120, -100, -110, -105);
  private static final PairLogProbs E = new PairLogProbs(-100, -20, -60, -60);

  /** Section 6: pair, c_B, c_A, β·h, s, −s − (c_B/2)s², ∂/∂ℓ_w of DPO+B, term A, P(swap). */
  static Stream<Arguments> vectors() {
    return Stream.of(
        Arguments.of("A: DPO", AB, 0.0, 0.0, 0.7, -0.403186, 0.403186, -0.033181, 0.0, 0.331812),
        Arguments.of(
            "B: DDP ρ=.2", AB, 0.2, 0.0, 0.7, -0.403186, 0.386930, -0.030506, 0.0, 0.331812),
        Arguments.of(
            "C: DPP π=.2", CD, 0.2, 0.2, -1.5, -1.701413, 1.411933, -0.053937, 0.340283, 0.817574),
        Arguments.of(
            "D: DPR γ=.3", CD, 0.0, 0.3, -1.5, -1.701413, 1.701413, -0.081757, 0.510424, 0.817574),
        Arguments.of(
            "E: DDP ρ=.2", E, 0.2, 0.0, -8.0, -8.000335, 1.599799, 0.059987, 0.0, 0.999665));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void matchesTheTestVectors(
      String name,
      PairLogProbs pair,
      double cB,
      double cA,
      double margin,
      double s,
      double loss,
      double dpoB,
      double termA,
      double pSwap) {
    ExampleLoss example =
        SailLoss.example(
            pair, BETA, new RouteCoefficients(cA, cB), 0, TermAForm.DERIVED, ClampMode.NONE);

    assertEquals(margin, example.margin(), TOLERANCE, "β·h");
    assertEquals(s, example.s(), TOLERANCE, "s");
    assertEquals(loss, example.loss(), TOLERANCE, "loss");
    assertEquals(dpoB, example.dpoGradient(), TOLERANCE, "∂/∂ℓ_w of DPO+B");
    assertEquals(termA, example.termAChosen(), TOLERANCE, "term A (w)");
    assertEquals(termA, example.termARejected(), TOLERANCE, "term A (l)");
    assertEquals(pSwap, example.pSwap(), TOLERANCE, "P(swap)");
    assertEquals(dpoB + termA, example.dChosen(), TOLERANCE, "∂L/∂ℓ_w");
    assertEquals(-dpoB + termA, example.dRejected(), TOLERANCE, "∂L/∂ℓ_l");
    assertFalse(example.clamped());
  }

  @Test
  void vectorsFollowFromTheRoutesAndTheAuthorsCoefficients() {
    GradientCoefficients authors = new GradientCoefficients(0.2, 0.2, 0.3);
    ObjectiveConfig config = ObjectiveConfig.of(MixtureWeights.OFFLINE, authors);

    assertEquals(0.403186, SailLoss.example(config, Route.OFFLINE_DPO, AB, 0).loss(), TOLERANCE);
    assertEquals(0.386930, SailLoss.example(config, Route.DDP, AB, 0).loss(), TOLERANCE);
    ExampleLoss c = SailLoss.example(config, Route.DPP, CD, 0);
    assertEquals(1.411933, c.loss(), TOLERANCE);
    assertEquals(-0.053937 + 0.340283, c.dChosen(), TOLERANCE);
    assertEquals(0.053937 + 0.340283, c.dRejected(), TOLERANCE);
    ExampleLoss d = SailLoss.example(config, Route.DPR, CD, 0);
    assertEquals(-0.081757 + 0.510424, d.dChosen(), TOLERANCE);
    ExampleLoss e = SailLoss.example(config, Route.DDP, E, 0);
    assertEquals(0.059987, e.dChosen(), TOLERANCE, "term B flips the DPO gradient");
  }

  @Test
  void referenceCodeFormAddsMinusCSOverEllForCaseC() {
    ExampleLoss c =
        SailLoss.example(
            CD, BETA, new RouteCoefficients(0.2, 0.2), 0, TermAForm.REFERENCE_CODE, ClampMode.NONE);

    assertEquals(-0.002836, c.termAChosen(), TOLERANCE);
    assertEquals(-0.003403, c.termARejected(), TOLERANCE);
    assertEquals(-0.053937 - 0.002836, c.dChosen(), TOLERANCE);
    assertEquals(0.053937 - 0.003403, c.dRejected(), TOLERANCE);
  }

  @Test
  void baselineShiftsTermAOnly() {
    RouteCoefficients c = new RouteCoefficients(0.2, 0.2);
    ExampleLoss plain = SailLoss.example(CD, BETA, c, 0, TermAForm.DERIVED, ClampMode.NONE);
    ExampleLoss shifted = SailLoss.example(CD, BETA, c, -1.5, TermAForm.DERIVED, ClampMode.NONE);

    assertEquals(plain.loss(), shifted.loss());
    assertEquals(plain.dpoGradient(), shifted.dpoGradient());
    assertEquals(-0.2 * (plain.s() + 1.5), shifted.termAChosen(), 1e-15);
  }

  /** d(loss)/dℓ by central differences; term A's surrogate holds s − b fixed (stop-gradient). */
  @ParameterizedTest
  @EnumSource(ClampMode.class)
  void derivativesMatchFiniteDifferences(ClampMode clamp) {
    SplittableRandom random = new SplittableRandom(7);
    double step = 1e-5;
    for (int trial = 0; trial < 200; trial++) {
      PairLogProbs pair =
          new PairLogProbs(
              -1 - 150 * random.nextDouble(),
              -1 - 150 * random.nextDouble(),
              -1 - 150 * random.nextDouble(),
              -1 - 150 * random.nextDouble());
      RouteCoefficients c = new RouteCoefficients(random.nextDouble(), random.nextDouble());
      double baseline = -2 * random.nextDouble();
      for (TermAForm form : TermAForm.values()) {
        ExampleLoss example = SailLoss.example(pair, BETA, c, baseline, form, clamp);
        double frozen = example.s() - baseline;
        // the surrogate of section 4 (derived) or 5 (reference code), s − b frozen at the point
        DoubleBinaryOperator surrogate =
            (w, l) -> {
              PairLogProbs moved = new PairLogProbs(w, l, pair.refChosen(), pair.refRejected());
              double termB = SailLoss.example(moved, BETA, c, baseline, form, clamp).loss();
              double sampled = form == TermAForm.DERIVED ? w + l : Math.log(-w) + Math.log(-l);
              return termB - c.termA() * frozen * sampled;
            };
        double w = pair.policyChosen();
        double l = pair.policyRejected();
        double dw =
            (surrogate.applyAsDouble(w + step, l) - surrogate.applyAsDouble(w - step, l))
                / (2 * step);
        double dl =
            (surrogate.applyAsDouble(w, l + step) - surrogate.applyAsDouble(w, l - step))
                / (2 * step);
        if (Math.abs(1 + c.termB() * example.s()) < 1e-3) {
          continue; // at the clamp's kink the one-sided slopes differ
        }
        assertEquals(dw, example.dChosen(), 1e-6, () -> "∂/∂ℓ_w at " + pair + " " + c);
        assertEquals(dl, example.dRejected(), 1e-6, () -> "∂/∂ℓ_l at " + pair + " " + c);
      }
    }
  }

  @Test
  void zeroCoefficientsReproducePlainDpoBitForBit() {
    SplittableRandom random = new SplittableRandom(11);
    ObjectiveConfig sail =
        new ObjectiveConfig(
            BETA,
            MixtureWeights.OFFLINE,
            new GradientCoefficients(0.2, 0.2, 0.3),
            TermAForm.DERIVED,
            BaselineMode.BATCH_MEAN,
            ClampMode.WEIGHT,
            0);
    for (ObjectiveConfig config : new ObjectiveConfig[] {ObjectiveConfig.dpo(), sail}) {
      for (int trial = 0; trial < 1000; trial++) {
        PairLogProbs pair =
            new PairLogProbs(
                -300 * random.nextDouble(),
                -300 * random.nextDouble(),
                -300 * random.nextDouble(),
                -300 * random.nextDouble());
        ExampleLoss example = SailLoss.example(config, Route.OFFLINE_DPO, pair, 0.123);

        // DPO computed independently: −log σ(z) and ∂/∂ℓ_w = −β·σ(−z)
        double z =
            BETA
                * ((pair.policyChosen() - pair.refChosen())
                    - (pair.policyRejected() - pair.refRejected()));
        double dpoLoss = z >= 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
        double sigmaMinusZ = z <= 0 ? 1 / (1 + Math.exp(z)) : Math.exp(-z) / (1 + Math.exp(-z));
        assertEquals(dpoLoss, example.loss(), 0.0);
        assertEquals(-BETA * sigmaMinusZ, example.dChosen(), 0.0);
        assertEquals(BETA * sigmaMinusZ, example.dRejected(), 0.0);
        assertEquals(sigmaMinusZ, example.pSwap(), 0.0);
      }
    }
  }

  @Test
  void weightClampStopsARowThatWouldFlip() {
    RouteCoefficients ddp = new RouteCoefficients(0, 0.2);
    ExampleLoss free = SailLoss.example(E, BETA, ddp, 0, TermAForm.DERIVED, ClampMode.NONE);
    ExampleLoss weight = SailLoss.example(E, BETA, ddp, 0, TermAForm.DERIVED, ClampMode.WEIGHT);
    ExampleLoss quadratic =
        SailLoss.example(E, BETA, ddp, 0, TermAForm.DERIVED, ClampMode.QUADRATIC);

    assertFalse(free.clamped());
    assertTrue(free.weight() < 0);
    assertTrue(weight.clamped());
    assertEquals(0, weight.weight());
    assertEquals(0, weight.dChosen(), 0.0);
    assertEquals(1 / (2 * 0.2), weight.loss(), 1e-12, "f(−1/c) = 1/(2c)");
    assertTrue(quadratic.clamped());
    assertEquals(1, quadratic.weight());
    assertEquals(-BETA * quadratic.pSwap(), quadratic.dChosen(), 1e-15, "plain DPO gradient");
    assertEquals(8.000335 - 1 / (2 * 0.2), quadratic.loss(), 1e-6);

    // a well-fitted pair is left alone
    ExampleLoss b = SailLoss.example(AB, BETA, ddp, 0, TermAForm.DERIVED, ClampMode.WEIGHT);
    assertFalse(b.clamped());
    assertEquals(0.386930, b.loss(), TOLERANCE);
  }

  @Test
  void logSigmoidIsStableAtExtremes() {
    assertEquals(-1000, SailLoss.logSigmoid(-1000), 0.0);
    assertEquals(-Math.exp(-800), SailLoss.logSigmoid(800), 0.0);
    assertEquals(Math.log(0.5), SailLoss.logSigmoid(0), 1e-16);
    assertEquals(1, SailLoss.sigmoid(800), 0.0);
    assertEquals(0, SailLoss.sigmoid(-800), 1e-300);
  }
}
