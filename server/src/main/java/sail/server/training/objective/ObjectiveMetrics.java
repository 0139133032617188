package sail.server.training.objective;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Per-route summaries of a batch, computed beside the loss and never inside it. */
public final class ObjectiveMetrics {
  private ObjectiveMetrics() {}

  /**
   * Metrics of each route present in the batch.
   *
   * @param rows the batch rows
   * @param loss {@link BatchObjective#evaluate} of those rows
   */
  public static Map<Route, RouteMetrics> byRoute(List<PreferenceRow> rows, BatchLoss loss) {
    if (rows.size() != loss.examples().size()) {
      throw new IllegalArgumentException(
          rows.size() + " rows but " + loss.examples().size() + " example losses");
    }
    Map<Route, Accumulator> sums = new EnumMap<>(Route.class);
    for (int i = 0; i < rows.size(); i++) {
      PreferenceRow row = rows.get(i);
      sums.computeIfAbsent(row.route(), r -> new Accumulator()).add(row, loss.examples().get(i));
    }
    Map<Route, RouteMetrics> out = new EnumMap<>(Route.class);
    sums.forEach((route, sum) -> out.put(route, sum.metrics()));
    return out;
  }

  /**
   * Metrics of a training step's rows, recomputed in double precision beside the autograd pass
   * (never part of the gradient).
   *
   * @param policyChosen ℓ of each row's dataset- or label-order chosen reply, before any DDP swap
   * @param policyRejected ℓ of the other reply, before any swap
   * @param refChosen ℓ_ref of the row's final chosen reply (after the swap)
   * @param refRejected ℓ_ref of the final rejected reply
   * @param swapped 1 where DDP resampling reversed the label, else 0
   * @return the metrics per route, or an empty map when a log-prob is not finite (a diverged step
   *     reports no metrics rather than failing)
   */
  public static Map<Route, RouteMetrics> ofStep(
      ObjectiveConfig config,
      List<Route> routes,
      float[] policyChosen,
      float[] policyRejected,
      float[] refChosen,
      float[] refRejected,
      float[] swapped) {
    List<PreferenceRow> rows = new ArrayList<>(routes.size());
    for (int i = 0; i < routes.size(); i++) {
      boolean flip = swapped[i] != 0;
      double chosen = flip ? policyRejected[i] : policyChosen[i];
      double rejected = flip ? policyChosen[i] : policyRejected[i];
      if (!Double.isFinite(chosen + rejected + refChosen[i] + refRejected[i])) {
        return Map.of();
      }
      rows.add(
          new PreferenceRow(
              routes.get(i),
              new PairLogProbs(chosen, rejected, refChosen[i], refRejected[i]),
              flip));
    }
    return rows.isEmpty() ? Map.of() : byRoute(rows, BatchObjective.evaluate(config, rows));
  }

  private static final class Accumulator {
    int rows;
    double s;
    double loss;
    double weight;
    int clamped;
    int swapped;
    double termA;
    double margin;
    int correct;

    void add(PreferenceRow row, ExampleLoss example) {
      rows++;
      s += example.s();
      loss += example.loss();
      weight += example.weight();
      clamped += example.clamped() ? 1 : 0;
      swapped += row.swapped() ? 1 : 0;
      termA += (Math.abs(example.termAChosen()) + Math.abs(example.termARejected())) / 2;
      margin += example.margin();
      correct += example.h() > 0 ? 1 : 0;
    }

    RouteMetrics metrics() {
      return new RouteMetrics(
          rows,
          s / rows,
          loss / rows,
          weight / rows,
          clamped,
          swapped,
          termA / rows,
          margin / rows,
          (double) correct / rows);
    }
  }
}
