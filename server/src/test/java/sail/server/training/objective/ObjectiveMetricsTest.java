package sail.server.training.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectiveMetricsTest {
  /** Case A of sail-objective.md section 6 as an offline row and, swapped, as a DDP row. */
  @Test
  void aStepsRowsAreMeasuredInTheirFinalOrder() {
    ObjectiveConfig config = ObjectiveConfig.sailDdp();
    Map<Route, RouteMetrics> metrics =
        ObjectiveMetrics.ofStep(
            config,
            List.of(Route.OFFLINE_DPO, Route.DDP),
            new float[] {-50, -60},
            new float[] {-60, -50},
            new float[] {-55, -55},
            new float[] {-58, -58},
            new float[] {0, 1});

    // the policy values arrive before the swap, the reference values after it: both rows end as
    // (ℓ_w, ℓ_l, ℓ_ref,w, ℓ_ref,l) = (−50, −60, −55, −58), β·h = 0.7
    RouteMetrics offline = metrics.get(Route.OFFLINE_DPO);
    assertEquals(-0.403186, offline.meanS(), 1e-6);
    assertEquals(0.7, offline.meanMargin(), 1e-9);
    assertEquals(1.0, offline.meanWeight(), 1e-12);
    RouteMetrics ddp = metrics.get(Route.DDP);
    assertEquals(-0.403186, ddp.meanS(), 1e-6);
    assertEquals(0.386930, ddp.meanLoss(), 1e-6); // case B: −s − (ρ/2)s², ρ = 0.2
    assertEquals(1, ddp.swapCount());
    assertEquals(1.0, ddp.accuracy());
  }

  @Test
  void aNonFiniteLogProbGivesNoMetricsInsteadOfFailingTheStep() {
    assertEquals(
        Map.of(),
        ObjectiveMetrics.ofStep(
            ObjectiveConfig.dpo(),
            List.of(Route.OFFLINE_DPO),
            new float[] {Float.NaN},
            new float[] {-1},
            new float[] {-1},
            new float[] {-1},
            new float[] {0}));
  }
}
