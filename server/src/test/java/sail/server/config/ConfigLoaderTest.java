package sail.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.training.objective.MixtureWeights;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void defaultsBindLocallyWithDataInDotData() throws Exception {
    ServerConfig c = ConfigLoader.load(null, Map.of());
    assertEquals("127.0.0.1", c.http().host());
    assertEquals(8080, c.http().port());
    assertEquals(Path.of("data"), c.dataDir());
    assertNull(c.engine().checkpoint());
    assertEquals("annotator:positive-sentiment", c.evaluation().judge());
    assertEquals(ServerConfig.DEFAULTS, c);
  }

  @Test
  void jsonFileThenFlags() throws Exception {
    Path file = dir.resolve("sail.json");
    Files.writeString(
        file, "{\"http\": {\"port\": 9001}, \"engine\": {\"max_batch\": 8}, \"train\": false}");
    ServerConfig c = ConfigLoader.load(file, Map.of("http.port", "9002"));
    assertEquals(9002, c.http().port());
    assertEquals(8, c.engine().maxBatch());
    assertEquals(false, c.train());
  }

  @Test
  void propertiesFile() throws Exception {
    Path file = dir.resolve("sail.properties");
    Files.writeString(file, "limits.max_tokens=64\ndata_dir=/tmp/x\n");
    ServerConfig c = ConfigLoader.load(file, Map.of());
    assertEquals(64, c.limits().maxTokens());
    assertEquals(64, c.limits().defaultMaxTokens(), "default follows a lower limit");
    assertEquals(Path.of("/tmp/x"), c.dataDir());
  }

  @Test
  void errorsNameTheKey() throws Exception {
    assertMessage(Map.of("http.prot", "1"), "http.prot");
    assertMessage(Map.of("http.port", "70000"), "http.port must be in [0, 65535]");
    assertMessage(Map.of("engine.max_batch", "lots"), "engine.max_batch must be an integer");
    assertMessage(Map.of("engine.device", "tpu"), "engine.device must be auto, cpu or gpu");
    assertMessage(Map.of("engine.lanes", "0"), "engine.lanes must be in [1, 64]");
    assertEquals(1, ConfigLoader.load(null, Map.of()).engine().lanes());
    assertEquals(2, ConfigLoader.load(null, Map.of("engine.lanes", "2")).engine().lanes());
    assertMessage(Map.of("train", "maybe"), "train must be true or false");
    assertMessage(Map.of("training.cpu_share", "0"), "training.cpu_share must be in (0, 1]");
    assertMessage(Map.of("training.preset", "sail-xyz"), "training.preset must be one of default");
    assertMessage(
        Map.of("evaluation.judge", "annotator:topic:war"),
        "evaluation.judge: unknown judge 'annotator:topic:war'");
  }

  @Test
  void trainingPresetsAndCpuShare() throws Exception {
    ServerConfig c =
        ConfigLoader.load(
            null, Map.of("training.preset", "feedback-only", "training.cpu_share", "0.6"));
    assertEquals("feedback-only", c.training().preset());
    assertEquals(0.6, c.training().cpuShare());
    assertEquals(1.0, ConfigLoader.load(null, Map.of()).training().cpuShare());
    assertEquals(1, ConfigLoader.load(null, Map.of()).training().threads());
    assertEquals(2, ConfigLoader.load(null, Map.of("training.threads", "2")).training().threads());
    assertMessage(Map.of("training.threads", "0"), "training.threads");
    assertNull(ConfigLoader.load(null, Map.of()).training().beta(), "the preset's own β");
    assertNull(ConfigLoader.load(null, Map.of()).training().learningRate(), "the preset's own");
    assertEquals(
        1e-4,
        ConfigLoader.load(null, Map.of("training.learning_rate", "1e-4"))
            .training()
            .learningRate());
    assertEquals(0.3, ConfigLoader.load(null, Map.of("training.beta", "0.3")).training().beta());
    assertMessage(Map.of("training.beta", "0"), "training.beta must be in (0, 10]");
    assertMessage(Map.of("training.beta", "x"), "training.beta must be a number");
    assertNull(ConfigLoader.load(null, Map.of()).training().mixture(), "the preset's own mixture");
    assertEquals(
        new MixtureWeights(0.2, 0, 0.2),
        ConfigLoader.load(null, Map.of("training.mixture", "ddp:0.2, dpr:0.2"))
            .training()
            .mixture());
    assertMessage(
        Map.of("training.mixture", "ddp:0.7,dpr:0.4"),
        "training.mixture: mixture weights r + p + g = 1.1");
    assertMessage(Map.of("training.mixture", "dpo:0.5"), "training.mixture: unknown route 'dpo'");
    assertEquals(4, ConfigLoader.load(null, Map.of()).training().dprCandidates());
    assertEquals(
        2,
        ConfigLoader.load(null, Map.of("training.dpr_candidates", "2")).training().dprCandidates());
    assertMessage(Map.of("training.dpr_candidates", "1"), "training.dpr_candidates");
    assertEquals(48, ConfigLoader.load(null, Map.of()).training().guardPrompts());
    assertEquals(
        24,
        ConfigLoader.load(null, Map.of("training.guard_prompts", "24")).training().guardPrompts());
    assertMessage(Map.of("training.guard_prompts", "2"), "training.guard_prompts");
    assertFalse(ConfigLoader.load(null, Map.of()).training().rewardLearnsOfflinePairs());
    assertTrue(
        ConfigLoader.load(null, Map.of("training.reward_offline_pairs", "true"))
            .training()
            .rewardLearnsOfflinePairs());
    assertMessage(
        Map.of("training.reward_offline_pairs", "maybe"), "training.reward_offline_pairs");
    assertEquals(0.0, ConfigLoader.load(null, Map.of()).training().publishAverage());
    assertEquals(
        0.9,
        ConfigLoader.load(null, Map.of("training.publish_average", "0.9"))
            .training()
            .publishAverage());
    assertMessage(
        Map.of("training.publish_average", "1"),
        "training.publish_average must be in [0.0, 0.999]");
    assertNull(ConfigLoader.load(null, Map.of()).training().dialogueAnchor());
    assertEquals(
        0.0,
        ConfigLoader.load(null, Map.of("training.dialogue_anchor", "0"))
            .training()
            .dialogueAnchor());
    assertMessage(
        Map.of("training.dialogue_anchor", "-1"),
        "training.dialogue_anchor must be in [0.0, 100.0]");
    assertNull(ConfigLoader.load(null, Map.of()).training().entropyFloor());
    assertEquals(
        0.5,
        ConfigLoader.load(null, Map.of("training.entropy_floor", "0.5")).training().entropyFloor());
    assertMessage(
        Map.of("training.entropy_floor", "-0.1"), "training.entropy_floor must be in [0.0, 100.0]");
    assertEquals("words", ConfigLoader.load(null, Map.of()).training().rewardModelKind());
    assertEquals(
        "transformer",
        ConfigLoader.load(null, Map.of("training.reward_model_kind", "transformer"))
            .training()
            .rewardModelKind());
    assertMessage(
        Map.of("training.reward_model_kind", "forest"),
        "training.reward_model_kind must be one of words, transformer, got 'forest'");
    assertMessage(
        Map.of("training.learning_rate", "1"), "training.learning_rate must be in (0, 1)");
  }

  private static void assertMessage(Map<String, String> values, String expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(null, values));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
