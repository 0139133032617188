package sail.server.training.objective;

import java.util.ArrayList;
import java.util.List;

/** Aggregates {@link SailLoss} over a batch of rows: baseline, mean, per-row gradients. */
public final class BatchObjective {
  private BatchObjective() {}

  /**
   * The batch loss of {@code rows} under {@code config}.
   *
   * @throws IllegalArgumentException if {@code rows} is empty
   */
  public static BatchLoss evaluate(ObjectiveConfig config, List<PreferenceRow> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one row");
    }
    double baseline = baseline(config, rows);
    int n = rows.size();
    List<ExampleLoss> examples = new ArrayList<>(n);
    double[] dChosen = new double[n];
    double[] dRejected = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      PreferenceRow row = rows.get(i);
      ExampleLoss example = SailLoss.example(config, row.route(), row.logProbs(), baseline);
      examples.add(example);
      sum += example.loss();
      dChosen[i] = example.dChosen() / n;
      dRejected[i] = example.dRejected() / n;
    }
    return new BatchLoss(sum / n, baseline, List.copyOf(examples), dChosen, dRejected);
  }

  /**
   * The baseline b of term A: 0, or the mean of s over the rows whose route carries term A (0 when
   * the batch has none).
   */
  public static double baseline(ObjectiveConfig config, List<PreferenceRow> rows) {
    if (config.baseline() == BaselineMode.NONE) {
      return 0;
    }
    double sum = 0;
    int count = 0;
    for (PreferenceRow row : rows) {
      if (row.route().hasTermA()) {
        sum += SailLoss.logSigmoid(config.beta() * row.logProbs().h());
        count++;
      }
    }
    return count == 0 ? 0 : sum / count;
  }
}
