package sail.server.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.model.GptLanguageModel;
import sail.server.model.TinyModels;
import sail.server.model.WeightSnapshot;
import sail.server.training.mixture.OfflinePairs;
import sail.server.training.reward.RewardSource;

class TrainBenchmarkTest {
  @TempDir Path dir;

  @Test
  void percentilesAreNearestRank() {
    assertEquals(
        Map.of("count", 4, "p50", 2.0, "max", 9.0),
        TrainBenchmark.percentiles(List.of(9.0, 1.0, 2.0, 3.0)));
    assertEquals(
        Map.of("count", 1, "p50", 5.0, "max", 5.0), TrainBenchmark.percentiles(List.of(5.0)));
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyRouteIsTimedAgainstDpoAndPublishesAreTimed() {
    ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(20240601);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      lines.add("{\"prompt\":\"Hi " + i + "\",\"chosen\":\"Good " + i + "\",\"rejected\":\"No\"}");
    }
    RewardSource longerWins =
        items -> items.stream().mapToDouble(item -> item.reply().length()).toArray();
    try (GptLanguageModel model = TinyModels.create()) {
      WeightSnapshot base = WeightSnapshot.copyOf(model.block(), Device.cpu());
      Map<String, Object> result =
          TrainBenchmark.run(
              model,
              base,
              0,
              OfflinePairs.parse("pairs", lines),
              List.of("Hello", "How are you?", "Is it fine?"),
              longerWins,
              dir,
              new TrainBenchmark.Settings(4, 1, 2, 3, 5));
      base.release();

      Map<String, Map<String, Object>> routes =
          (Map<String, Map<String, Object>>) result.get("routes");
      assertEquals(
          List.of("dpo", "dpo-one-batch", "sail-ddp", "sail-dpp", "sail-dpr"),
          List.copyOf(routes.keySet()));
      // the same rows as DPO (same sampler seed), scored in one padded batch
      assertEquals(routes.get("dpo").get("rows"), routes.get("dpo-one-batch").get("rows"));
      assertEquals(0.0, routes.get("dpo").get("overhead_vs_dpo"));
      for (Map<String, Object> route : routes.values()) {
        assertTrue((double) route.get("steps_per_s") > 0, route.toString());
        assertTrue((double) route.get("tokens_per_s") > 0, route.toString());
        Map<String, Long> rows = (Map<String, Long>) route.get("rows");
        assertEquals(8, rows.values().stream().mapToLong(Long::longValue).sum(), "2 steps × 4");
      }
      assertEquals(8L, ((Map<String, Long>) routes.get("dpo").get("rows")).get("offline_dpo"));
      assertEquals(0L, routes.get("dpo").get("fresh_pairs"));
      Map<String, Object> publish = (Map<String, Object>) result.get("publish_ms");
      assertEquals(3, publish.get("count"));
      assertTrue((double) publish.get("p50") <= (double) publish.get("max"), publish.toString());
      assertTrue((double) publish.get("p50") > 0, publish.toString());
    }
  }
}
