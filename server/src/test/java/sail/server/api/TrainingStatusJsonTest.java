package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import sail.server.training.SailTrainer;
import sail.server.training.TrainingLoop;
import sail.server.training.TrainingTime;
import sail.server.training.reward.LabelMargin;
import sail.server.training.reward.RewardAccuracy;
import sail.server.training.reward.RewardLearner;

class TrainingStatusJsonTest {
  static TrainingLoop.Status status(RewardLearner.Report reward) {
    SailTrainer.StepReport step =
        new SailTrainer.StepReport(
            12,
            0.7,
            -0.6,
            2.1,
            Double.NaN,
            Double.NaN,
            0,
            Map.of(),
            2,
            3.5,
            Map.of(),
            List.of(),
            900,
            reward);
    return new TrainingLoop.Status(
        TrainingLoop.State.RUNNING, 12, 1, step, null, new TrainingTime(1, 2, 3, 4, 5));
  }

  /** A ready reward model labelling the 10 of {@code heldOutPairs} pairs it scores 0.5 apart. */
  static RewardLearner.Report labelling(int heldOutPairs) {
    return new RewardLearner.Report(
        11,
        true,
        0.64,
        300,
        40,
        new RewardAccuracy(30, 20, 10, 8),
        true,
        0,
        new LabelMargin(0.5, 10, 8, heldOutPairs));
  }

  @Test
  void theLearnedRewardModelIsReportedWithItsAccuracy() {
    RewardLearner.Report reward = labelling(20);
    JsonObject json = AdminRoutes.training(status(reward));
    JsonObject model = json.getJsonObject("reward_model");
    assertEquals(11, model.getLong("steps"));
    assertTrue(model.getBoolean("ready"));
    assertEquals(40, model.getInteger("held_out_examples"));
    assertEquals(0.5, model.getDouble("label_gap"), 0);
    assertEquals(0.5, model.getDouble("label_coverage"), 1e-12);
    assertEquals(0.7, model.getDouble("accuracy"), 1e-12);
    // the dashboard's tile reads this one
    assertEquals(0.7, json.getDouble("reward_accuracy"), 1e-12);
  }

  @Test
  void theTrainersTimeIsReportedPerPart() {
    JsonObject time = AdminRoutes.training(status(null)).getJsonObject("time_s");
    assertEquals(
        List.of("reward_model", "data", "update", "publish", "checkpoint"),
        List.copyOf(time.fieldNames()));
    assertEquals(1.0, time.getDouble("reward_model"), 0);
    assertEquals(3.0, time.getDouble("update"), 0);
    assertEquals(5.0, time.getDouble("checkpoint"), 0);
  }

  @Test
  void beforeItsFirstMeasurementThereIsNoAccuracy() {
    JsonObject json =
        AdminRoutes.training(
            status(new RewardLearner.Report(0, false, Double.NaN, 5, 1, null, false, 0, null)));
    assertFalse(json.getJsonObject("reward_model").containsKey("accuracy"));
    assertFalse(json.containsKey("reward_accuracy"));
    assertFalse(AdminRoutes.training(status(null)).containsKey("reward_model"));
  }

  @Test
  void theAdminApiReportsTheSameLabelMarginAsTheHttpStatus() {
    RewardLearner.Report labelling = labelling(40);
    sail.v1.RewardModelStatus model = AdminGrpcService.training(status(labelling)).getRewardModel();
    assertEquals(0.5, model.getLabelGap(), 0);
    assertEquals(0.25, model.getLabelCoverage(), 1e-12);
    assertEquals(
        AdminRoutes.training(status(labelling))
            .getJsonObject("reward_model")
            .getDouble("label_coverage"),
        model.getLabelCoverage(),
        0);
    // the client's JSON of the message carries them too
    JsonObject printed = sail.client.cli.Output.rewardModel(model);
    assertEquals(0.5, printed.getDouble("label_gap"), 0);
    assertEquals(0.25, printed.getDouble("label_coverage"), 1e-12);

    sail.v1.RewardModelStatus notLabelling =
        AdminGrpcService.training(
                status(new RewardLearner.Report(0, false, Double.NaN, 5, 1, null, false, 0, null)))
            .getRewardModel();
    assertTrue(Double.isNaN(notLabelling.getLabelGap()));
    assertTrue(Double.isNaN(notLabelling.getLabelCoverage()));
    assertFalse(sail.client.cli.Output.rewardModel(notLabelling).containsKey("label_gap"));
  }
}
