package sail.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import sail.server.training.objective.GradientCoefficients;

class TrainingPresetTest {
  private static final int GUARD_PROMPTS = TrainerSettings.defaults().guardPrompts();

  @Test
  void everyNameFindsItsOwnPreset() {
    assertEquals(
        java.util.List.of(
            "default", "dpo", "sail-ddp", "sail-dpp", "sail-dpr", "feedback-only", "choices"),
        TrainingPreset.names());
    for (String name : TrainingPreset.names()) {
      assertEquals(name, TrainingPreset.named(name).name());
    }
  }

  @Test
  void unknownNameIsRefusedWithTheChoices() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrainingPreset.named("sail"));
    assertTrue(e.getMessage().contains("'sail'"), e.getMessage());
    assertTrue(e.getMessage().contains("feedback-only"), e.getMessage());
  }

  @Test
  void onlyOurPresetsKeepTheAnchorInTheServersSettings() {
    for (TrainingPreset preset : TrainingPreset.ALL) {
      TrainerSettings settings = serverSettings(preset, 3e-5, null, null);
      boolean ours =
          java.util.Set.of("default", "feedback-only", "choices").contains(preset.name());
      assertEquals(ours ? 1.0 : 0.0, settings.nllAnchor(), preset.name());
      assertEquals(
          ours ? TrainerSettings.defaults().dialogueAnchor() : 0.0,
          settings.dialogueAnchor(),
          preset.name());
      assertEquals(
          ours ? TrainerSettings.DEFAULT_ENTROPY_FLOOR : 0.0,
          settings.entropyFloor(),
          preset.name());
      assertEquals(
          2.5,
          serverSettings(preset, 3e-5, 2.5, null).dialogueAnchor(),
          "the configuration's λ wins for " + preset.name());
      assertEquals(
          0.5,
          serverSettings(preset, 3e-5, null, 0.5).entropyFloor(),
          "the configuration's η wins for " + preset.name());
      assertEquals(
          preset.learningRate(),
          serverSettings(preset, null, null, null).learningRate(),
          "no configured learning rate: the preset's own for " + preset.name());
      assertEquals(3e-5, settings.learningRate(), "the configured learning rate wins");
      assertEquals(
          3,
          TrainerSettings.forServer(preset, 16, 10, 50, null, null, null, 3, GUARD_PROMPTS, 0)
              .dprCandidates(),
          "the configured candidates");
      assertEquals(GUARD_PROMPTS, settings.guardPrompts());
      assertEquals(
          24,
          TrainerSettings.forServer(preset, 16, 10, 50, null, null, null, 4, 24, 0).guardPrompts(),
          "the configured guard prompts");
      assertEquals(preset.objective(), settings.objective(), preset.name());
    }
  }

  /** The server's settings for a preset with the default candidates and guard prompts. */
  private static TrainerSettings serverSettings(
      TrainingPreset preset, Double lr, Double dialogueAnchor, Double entropyFloor) {
    return TrainerSettings.forServer(
        preset,
        16,
        10,
        50,
        lr,
        dialogueAnchor,
        entropyFloor,
        TrainerSettings.DEFAULT_DPR_CANDIDATES,
        GUARD_PROMPTS,
        0);
  }

  @Test
  void choicesIsPlainDpoOnChoicesWithoutHelpers() {
    TrainingPreset choices = TrainingPreset.named("choices");
    assertEquals(GradientCoefficients.NONE, choices.objective().coefficients());
    assertFalse(choices.ratingPairs());
    assertFalse(choices.rewardModel());
    assertTrue(TrainingPreset.DEFAULT.ratingPairs());
    assertTrue(TrainingPreset.DEFAULT.rewardModel());
  }

  @Test
  void withBetaChangesOnlyBeta() {
    TrainingPreset sharper = TrainingPreset.DEFAULT.withBeta(0.5);
    assertEquals(0.5, sharper.objective().beta());
    assertEquals(TrainingPreset.DEFAULT.objective().withBeta(0.5), sharper.objective());
    assertEquals(TrainingPreset.DEFAULT.name(), sharper.name());
    assertEquals(TrainingPreset.DEFAULT.learningRate(), sharper.learningRate());
    assertEquals(TrainingPreset.DEFAULT.rewardModel(), sharper.rewardModel());
    assertEquals(
        TrainingPreset.OUR_BETA,
        TrainingPreset.DEFAULT.objective().beta(),
        "the preset itself is unchanged");
  }

  @Test
  void oursTrainAtBetaPointThreeAndTwiceTheAuthorsRate() {
    for (TrainingPreset preset : TrainingPreset.ALL) {
      boolean tighter = java.util.Set.of("default", "feedback-only").contains(preset.name());
      assertEquals(tighter ? 0.3 : 0.1, preset.objective().beta(), preset.name());
      assertEquals(tighter ? 6e-5 : 3e-5, preset.learningRate(), preset.name());
    }
  }
}
