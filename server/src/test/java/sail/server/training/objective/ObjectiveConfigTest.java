package sail.server.training.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ObjectiveConfigTest {
  @Test
  void mixtureWeightsAboveOneAreRejected() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new MixtureWeights(0.4, 0.4, 0.3));
    assertTrue(error.getMessage().contains("r + p + g"), error.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new MixtureWeights(-0.1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new MixtureWeights(0, Double.NaN, 0));
    assertEquals(0, new MixtureWeights(0.4, 0.3, 0.3).offline(), 1e-15);
  }

  @Test
  void betaAndLambdaAreValidated() {
    ObjectiveConfig dpo = ObjectiveConfig.dpo();
    assertThrows(IllegalArgumentException.class, () -> dpo.withBeta(0));
    assertThrows(IllegalArgumentException.class, () -> dpo.withBeta(-0.1));
    assertThrows(IllegalArgumentException.class, () -> dpo.withBeta(Double.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> dpo.withRevKlCoef(-1e-3));
    assertThrows(IllegalArgumentException.class, () -> new GradientCoefficients(Double.NaN, 0, 0));
  }

  @Test
  void presetsAreTheAuthors() {
    ObjectiveConfig dpo = ObjectiveConfig.dpo();
    assertEquals(0.1, dpo.beta());
    assertEquals(MixtureWeights.OFFLINE, dpo.mixture());
    assertEquals(GradientCoefficients.NONE, dpo.coefficients());

    ObjectiveConfig ddp = ObjectiveConfig.sailDdp();
    assertEquals(0.1, ddp.beta());
    assertEquals(new MixtureWeights(0.4, 0, 0), ddp.mixture());
    assertEquals(new RouteCoefficients(0, 0.2), ddp.coefficientsOf(Route.DDP));

    ObjectiveConfig dpp = ObjectiveConfig.sailDpp();
    assertEquals(new MixtureWeights(0, 0.3, 0), dpp.mixture());
    assertEquals(new RouteCoefficients(0.2, 0.2), dpp.coefficientsOf(Route.DPP));

    ObjectiveConfig dpr = ObjectiveConfig.sailDpr();
    assertEquals(new MixtureWeights(0, 0, 0.3), dpr.mixture());
    assertEquals(new RouteCoefficients(0.3, 0), dpr.coefficientsOf(Route.DPR));

    for (ObjectiveConfig preset : new ObjectiveConfig[] {dpo, ddp, dpp, dpr}) {
      assertEquals(TermAForm.DERIVED, preset.termAForm());
      assertEquals(BaselineMode.NONE, preset.baseline());
      assertEquals(ClampMode.NONE, preset.clamp());
      assertEquals(0, preset.revKlCoef());
    }
  }

  @Test
  void routesTakeTheirCoefficients() {
    GradientCoefficients c = new GradientCoefficients(0.2, 0.25, 0.3);
    assertEquals(new RouteCoefficients(0, 0), Route.OFFLINE_DPO.coefficients(c));
    assertEquals(new RouteCoefficients(0, 0.2), Route.DDP.coefficients(c));
    assertEquals(new RouteCoefficients(0.25, 0.25), Route.DPP.coefficients(c));
    assertEquals(new RouteCoefficients(0.3, 0), Route.DPR.coefficients(c));
  }

  @Test
  void routesAreDrawnWithTheMixtureWeights() {
    MixtureWeights mixture = new MixtureWeights(0.4, 0.3, 0.2);
    SplittableRandom random = new SplittableRandom(9);
    Map<Route, Integer> counts = new EnumMap<>(Route.class);
    int draws = 100_000;
    for (int i = 0; i < draws; i++) {
      counts.merge(mixture.sample(random), 1, Integer::sum);
    }
    for (Route route : Route.values()) {
      assertEquals(
          mixture.probability(route), counts.get(route) / (double) draws, 0.01, route.name());
    }
  }
}
