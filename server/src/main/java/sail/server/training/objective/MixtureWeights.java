package sail.server.training.objective;

import java.util.random.RandomGenerator;

/**
 * Distribution mixture weights (sail-objective.md, section 3): the probability that a row takes
 * each route. The offline DPO route gets the rest, {@code 1 − r − p − g}.
 *
 * @param ddp r
 * @param dpp p
 * @param dpr g
 */
public record MixtureWeights(double ddp, double dpp, double dpr) {
  /** Every row offline: plain DPO. */
  public static final MixtureWeights OFFLINE = new MixtureWeights(0, 0, 0);

  public MixtureWeights {
    requireProbability("r (DDP)", ddp);
    requireProbability("p (DPP)", dpp);
    requireProbability("g (DPR)", dpr);
    double sum = ddp + dpp + dpr;
    if (sum > 1) {
      throw new IllegalArgumentException(
          "mixture weights r + p + g = "
              + sum
              + " exceed 1; lower them so that the offline share 1 − r − p − g is not negative");
    }
  }

  /** The share of offline DPO rows, {@code 1 − r − p − g}. */
  public double offline() {
    return Math.max(0, 1 - ddp - dpp - dpr);
  }

  public double probability(Route route) {
    return switch (route) {
      case OFFLINE_DPO -> offline();
      case DDP -> ddp;
      case DPP -> dpp;
      case DPR -> dpr;
    };
  }

  /** Draws the route of one row; consumes exactly one double from {@code random}. */
  public Route sample(RandomGenerator random) {
    double u = random.nextDouble();
    if (u < ddp) {
      return Route.DDP;
    }
    if (u < ddp + dpp) {
      return Route.DPP;
    }
    if (u < ddp + dpp + dpr) {
      return Route.DPR;
    }
    return Route.OFFLINE_DPO;
  }

  private static void requireProbability(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(
          "mixture weight " + name + " = " + value + " must lie in [0, 1]");
    }
  }
}
