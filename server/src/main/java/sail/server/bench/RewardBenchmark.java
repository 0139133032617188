package sail.server.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sail.server.training.mixture.LabelStream;
import sail.server.training.reward.LabelMargin;
import sail.server.training.reward.RewardAccuracy;
import sail.server.training.reward.RewardExample;
import sail.server.training.reward.RewardLabel;
import sail.server.training.reward.RewardLearner;
import sail.server.training.reward.RewardSource;
import sail.server.training.reward.TrainableReward;

/**
 * How well, and how fast, the in-loop reward model learns the feedback a server has logged: a
 * {@link RewardLearner} over a fresh reward model (the transformer started from the base policy's
 * weights, or the words model) takes {@code steps} steps on the traffic log's ratings and choices,
 * exactly as the trainer would (same split, same replay, same batch draws), with its held-out
 * accuracy measured along the way. An optional oracle (the simulated annotator whose hidden
 * preference produced the feedback in a demo) is scored on the same held-out examples: the accuracy
 * a perfect reward model could reach on these noisy labels.
 */
public final class RewardBenchmark {
  private RewardBenchmark() {}

  /**
   * @param model a fresh reward model (closed here)
   * @param feedback the logged feedback streams
   * @param offline offline preference pairs it also trains on (none: people's feedback only)
   * @param oracle the preference behind the labels, or null when unknown
   * @param settings the reward learner's settings (batch, lr, evaluation period, ...)
   * @param steps reward-model steps to take
   */
  public static Map<String, Object> run(
      TrainableReward model,
      List<? extends LabelStream<RewardLabel>> feedback,
      List<RewardExample> offline,
      RewardSource oracle,
      RewardLearner.Settings settings,
      int steps) {
    List<Map<String, Object>> curve = new ArrayList<>();
    Map<String, Object> result = new LinkedHashMap<>();
    try (RewardLearner learner = new RewardLearner(model, feedback, offline, settings)) {
      long started = System.nanoTime();
      double trainingSeconds = 0;
      RewardLearner.Report report = null;
      Long firstReady = null;
      RewardAccuracy measured = null;
      for (int i = 0; i < steps; i++) {
        long t = System.nanoTime();
        report = learner.step();
        trainingSeconds += (System.nanoTime() - t) / 1e9;
        if (!report.trained()) {
          break; // too little feedback to learn from
        }
        if (report.accuracy() != null && report.accuracy() != measured) {
          measured = report.accuracy();
          Map<String, Object> p = point(report.steps(), measured, report.ready(), report.margin());
          if (oracle != null) {
            p.putAll(judgeAgreement(model, oracle, learner.heldOut()));
          }
          curve.add(p);
          // progress on stderr: a long run shows its curve as it goes
          System.err.printf(
              java.util.Locale.ROOT,
              "bench reward: step %d, %.3f s/step, held-out accuracy %.3f (lower 95%% %.3f),"
                  + " ranking %.3f (lower 95%% %.3f), labels %.0f%% of pairs%n",
              report.steps(),
              trainingSeconds / report.steps(),
              measured.overall(),
              measured.lowerBound95(),
              measured.ranking(),
              measured.rankingLowerBound95(),
              report.margin() == null ? 0.0 : 100 * report.margin().coverage());
        }
        if (firstReady == null && report.ready()) {
          firstReady = report.steps();
        }
      }
      result.put("steps", learner.steps());
      result.put("batch", settings.batchSize());
      result.put("learning_rate", settings.learningRate());
      result.put("train_examples", report == null ? 0 : report.trainExamples());
      result.put("held_out_examples", report == null ? 0 : report.heldOutExamples());
      result.put(
          "seconds_per_step",
          learner.steps() == 0 ? Double.NaN : trainingSeconds / learner.steps());
      result.put("first_ready_step", firstReady);
      result.put("curve", curve);
      if (oracle != null) {
        RewardAccuracy ceiling = RewardAccuracy.of(oracle, learner.heldOut(), 0.5);
        result.put("oracle", point(-1, ceiling, false, null));
      }
      result.put("wall_seconds", (System.nanoTime() - started) / 1e9);
    }
    return result;
  }

  /**
   * How often the model orders held-out pairs as the hidden preference does, rather than as people
   * chose: over the ranked pairs the preference does not score as equal, all of them and the widest
   * half and quarter by the model's gap, beside its agreement with people on the same shares (what
   * {@link LabelMargin} judges). People's labels are noisy (a coin between equally liked replies, a
   * wrong pick now and then), so agreement with them understates how good a labeller the model is;
   * this is the figure that says whether its labels are worth a person's.
   */
  static Map<String, Object> judgeAgreement(
      RewardSource model, RewardSource oracle, List<RewardExample> heldOut) {
    double[] modelGaps = RewardAccuracy.measure(model, heldOut, 0).signedGaps();
    double[] judgeGaps = RewardAccuracy.measure(oracle, heldOut, 0.5).signedGaps();
    Integer[] order = LabelMargin.widestFirst(modelGaps);
    Map<String, Object> p = new LinkedHashMap<>();
    int ties = 0;
    for (double g : judgeGaps) {
      if (g == 0) {
        ties++;
      }
    }
    p.put("judge_tie_share", judgeGaps.length == 0 ? Double.NaN : ties / (double) judgeGaps.length);
    for (double coverage : LabelMargin.COVERAGES) {
      int k = (int) Math.ceil(coverage * order.length);
      int decided = 0;
      int agree = 0;
      int withPeople = 0;
      for (int i = 0; i < k; i++) {
        int j = order[i];
        if (modelGaps[j] > 0) {
          withPeople++;
        }
        if (judgeGaps[j] != 0) {
          decided++;
          if (Math.signum(judgeGaps[j]) == Math.signum(modelGaps[j])) {
            agree++;
          }
        }
      }
      String share = String.valueOf((int) Math.round(coverage * 100));
      p.put("judge_agreement_" + share, decided == 0 ? Double.NaN : agree / (double) decided);
      p.put("people_agreement_" + share, k == 0 ? Double.NaN : withPeople / (double) k);
    }
    return p;
  }

  private static Map<String, Object> point(
      long step, RewardAccuracy a, boolean ready, LabelMargin margin) {
    Map<String, Object> p = new LinkedHashMap<>();
    if (step >= 0) {
      p.put("step", step);
      p.put("ready", ready);
      if (margin != null) {
        p.put("label_gap", margin.gap());
        p.put("label_coverage", margin.coverage());
        p.put("label_accuracy", margin.accuracy());
      }
    }
    p.put("examples", a.examples());
    p.put("accuracy", a.overall());
    p.put("accuracy_lower95", a.lowerBound95());
    p.put("rating_accuracy", a.ratingAccuracy());
    p.put("comparison_accuracy", a.comparisonAccuracy());
    p.put("rating_pairs", a.ratingPairs());
    p.put("ranking_accuracy", a.ranking());
    p.put("ranking_lower95", a.rankingLowerBound95());
    return p;
  }
}
