package sail.server.training.objective;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
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

  /**
   * The weights written as {@code ddp:R,dpp:P,dpr:G} ({@code training.mixture}): a route left out
   * weighs 0, and the offline DPO route gets the rest.
   *
   * @throws IllegalArgumentException naming what is wrong: an unknown route, a route given twice, a
   *     weight that is not a number in [0, 1], or weights summing over 1
   */
  public static MixtureWeights parse(String spec) {
    Map<String, Double> weights = new HashMap<>();
    for (String part : spec.split(",")) {
      String entry = part.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int colon = entry.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "'" + entry + "' is not ROUTE:WEIGHT (routes ddp, dpp, dpr; e.g. ddp:0.2,dpr:0.4)");
      }
      String route = entry.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      if (!route.equals("ddp") && !route.equals("dpp") && !route.equals("dpr")) {
        throw new IllegalArgumentException(
            "unknown route '"
                + route
                + "': give ddp, dpp or dpr (the offline DPO route gets the rest)");
      }
      double weight;
      try {
        weight = Double.parseDouble(entry.substring(colon + 1).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "the weight of "
                + route
                + " must be a number, got '"
                + entry.substring(colon + 1)
                + "'");
      }
      if (weights.put(route, weight) != null) {
        throw new IllegalArgumentException("route " + route + " is given twice");
      }
    }
    return new MixtureWeights(
        weights.getOrDefault("ddp", 0.0),
        weights.getOrDefault("dpp", 0.0),
        weights.getOrDefault("dpr", 0.0));
  }

  /** The form {@link #parse} reads, every route written out. */
  @Override
  public String toString() {
    return "ddp:" + ddp + ",dpp:" + dpp + ",dpr:" + dpr;
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
