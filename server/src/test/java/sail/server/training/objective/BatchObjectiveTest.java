package sail.server.training.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchObjectiveTest {
  private static final PairLogProbs AB = new PairLogProbs(-50, -60, -55, -58);
  private static final PairLogProbs CD = new PairLogProbs(-120, -100, -110, -105);
  private static final PairLogProbs E = new PairLogProbs(-100, -20, -60, -60);
  private static final GradientCoefficients AUTHORS = new GradientCoefficients(0.2, 0.2, 0.3);

  private static List<PreferenceRow> mixedBatch() {
    return List.of(
        PreferenceRow.of(Route.OFFLINE_DPO, AB),
        PreferenceRow.of(Route.DDP, AB),
        PreferenceRow.of(Route.DPP, CD),
        PreferenceRow.of(Route.DPR, CD),
        new PreferenceRow(Route.DDP, E, true));
  }

  @Test
  void batchLossIsTheMeanOfTheVectors() {
    ObjectiveConfig config = ObjectiveConfig.of(MixtureWeights.OFFLINE, AUTHORS);
    BatchLoss loss = BatchObjective.evaluate(config, mixedBatch());

    assertEquals(0, loss.baseline());
    assertEquals((0.403186 + 0.386930 + 1.411933 + 1.701413 + 1.599799) / 5, loss.loss(), 1e-6);
    double[] expectedChosen = {
      -0.033181, -0.030506, -0.053937 + 0.340283, -0.081757 + 0.510424, 0.059987
    };
    double[] expectedRejected = {
      0.033181, 0.030506, 0.053937 + 0.340283, 0.081757 + 0.510424, -0.059987
    };
    for (int i = 0; i < 5; i++) {
      expectedChosen[i] /= 5;
      expectedRejected[i] /= 5;
    }
    assertArrayEquals(expectedChosen, loss.dChosen(), 1e-6 / 5);
    assertArrayEquals(expectedRejected, loss.dRejected(), 1e-6 / 5);
  }

  @Test
  void batchMeanBaselineAveragesSOverTermARowsOnly() {
    ObjectiveConfig config =
        ObjectiveConfig.of(MixtureWeights.OFFLINE, AUTHORS).withBaseline(BaselineMode.BATCH_MEAN);
    PairLogProbs easier = new PairLogProbs(-100, -100, -105, -100); // β·h = 0.5
    List<PreferenceRow> rows =
        List.of(
            PreferenceRow.of(Route.OFFLINE_DPO, E),
            PreferenceRow.of(Route.DPP, CD),
            PreferenceRow.of(Route.DPR, easier));
    BatchLoss loss = BatchObjective.evaluate(config, rows);

    double b = (SailLoss.logSigmoid(-1.5) + SailLoss.logSigmoid(0.5)) / 2;
    assertEquals(b, loss.baseline(), 1e-12);
    assertEquals(-0.2 * (SailLoss.logSigmoid(-1.5) - b), loss.examples().get(1).termAChosen());
    assertEquals(-0.3 * (SailLoss.logSigmoid(0.5) - b), loss.examples().get(2).termAChosen());
    assertEquals(0, loss.examples().get(0).termAChosen(), 0.0);

    List<PreferenceRow> offlineOnly = List.of(PreferenceRow.of(Route.DDP, CD));
    assertEquals(0, BatchObjective.baseline(config, offlineOnly));
  }

  @Test
  void metricsPerRoute() {
    ObjectiveConfig config =
        ObjectiveConfig.of(MixtureWeights.OFFLINE, AUTHORS).withClamp(ClampMode.WEIGHT);
    List<PreferenceRow> rows = mixedBatch();
    BatchLoss loss = BatchObjective.evaluate(config, rows);
    Map<Route, RouteMetrics> metrics = ObjectiveMetrics.byRoute(rows, loss);

    assertEquals(4, metrics.size());
    RouteMetrics ddp = metrics.get(Route.DDP);
    assertEquals(2, ddp.rows());
    assertEquals(1, ddp.clampCount(), "case E clamps");
    assertEquals(1, ddp.swapCount());
    assertEquals(0.5, ddp.swapRate());
    assertEquals((-0.403186 - 8.000335) / 2, ddp.meanS(), 1e-6);
    assertEquals((1 + 0.2 * -0.403186 + 0) / 2, ddp.meanWeight(), 1e-6);
    assertEquals((0.7 - 8.0) / 2, ddp.meanMargin(), 1e-12);
    assertEquals(0.5, ddp.accuracy());
    assertEquals(0, ddp.meanTermAMagnitude());

    RouteMetrics dpp = metrics.get(Route.DPP);
    assertEquals(0, dpp.clampCount());
    assertEquals(0.340283, dpp.meanTermAMagnitude(), 1e-6);
    assertEquals(0, dpp.accuracy());
    assertEquals(1.411933, dpp.meanLoss(), 1e-6);
    assertEquals(0.510424, metrics.get(Route.DPR).meanTermAMagnitude(), 1e-6);
    assertEquals(1, metrics.get(Route.OFFLINE_DPO).accuracy());
  }

  @Test
  void emptyBatchIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> BatchObjective.evaluate(ObjectiveConfig.dpo(), List.of()));
  }
}
