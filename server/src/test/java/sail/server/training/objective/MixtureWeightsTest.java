package sail.server.training.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MixtureWeightsTest {
  @Test
  void parsesRouteSharesAndGivesTheOfflineRouteTheRest() {
    MixtureWeights weights = MixtureWeights.parse("dpr:0.25, DDP:0.5");
    assertEquals(new MixtureWeights(0.5, 0, 0.25), weights);
    assertEquals(0.25, weights.offline(), 1e-12);
    assertEquals(MixtureWeights.OFFLINE, MixtureWeights.parse(""));
  }

  @Test
  void writesWhatItReads() {
    MixtureWeights weights = new MixtureWeights(0.2, 0.1, 0.4);
    assertEquals("ddp:0.2,dpp:0.1,dpr:0.4", weights.toString());
    assertEquals(weights, MixtureWeights.parse(weights.toString()));
  }

  @Test
  void namesWhatIsWrong() {
    assertMessage("dpr", "'dpr' is not ROUTE:WEIGHT");
    assertMessage("offline:0.5", "unknown route 'offline'");
    assertMessage("dpr:lots", "the weight of dpr must be a number, got 'lots'");
    assertMessage("dpr:0.1,dpr:0.2", "route dpr is given twice");
    assertMessage("dpr:-0.1", "g (DPR) = -0.1 must lie in [0, 1]");
    assertMessage("ddp:0.6,dpr:0.6", "r + p + g = 1.2");
  }

  static void assertMessage(String spec, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MixtureWeights.parse(spec));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
