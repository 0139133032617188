package sail.server.testing;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import sail.server.RunningServer;
import sail.server.ServerMain;
import sail.server.config.ConfigLoader;
import sail.server.model.GptLanguageModel;
import sail.server.model.ModelLoader;
import sail.server.model.TinyModels;
import sail.server.model.WeightSnapshot;

/**
 * Starts the real server on a random port with a freshly initialised tiny model (version 0) and
 * online DPO training on eight toy pairs: batch 2, a publish attempt and a checkpoint every 2
 * steps.
 */
public final class TinyTrainingServer {
  private TinyTrainingServer() {}

  /**
   * @param dir holds the checkpoint, the pairs and the server's data directory
   * @param extra config keys that override the defaults above
   */
  public static RunningServer start(Path dir, Map<String, String> extra) throws Exception {
    Path checkpoint = dir.resolve("tiny");
    // a fixed initialisation, so whether the publish guards pass does not depend on test order
    ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(20240601);
    try (GptLanguageModel model = TinyModels.create()) {
      WeightSnapshot weights = WeightSnapshot.copyOf(model.block(), Device.cpu());
      ModelLoader.save(checkpoint, model, weights, 0, -1, Map.of(), null);
      weights.release();
    }
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      pairs.add(
          "{\"prompt\":\"Hello " + i + "\",\"chosen\":\"Lovely " + i + "\",\"rejected\":\"No\"}");
    }
    Path pairsFile = dir.resolve("pairs.jsonl");
    Files.write(pairsFile, pairs);
    Map<String, String> keys = new HashMap<>();
    keys.put("http.port", "0");
    keys.put("data_dir", dir.resolve("data").toString());
    keys.put("engine.checkpoint", checkpoint.toString());
    keys.put("train", "true");
    keys.put("training.pairs", pairsFile.toString());
    keys.put("training.preset", "dpo");
    keys.put("training.batch_size", "2");
    keys.put("training.publish_every", "2");
    keys.put("training.checkpoint_every", "2");
    keys.putAll(extra);
    RunningServer server = ServerMain.start(ConfigLoader.load(null, keys), ServerMain.ENGINE);
    server.engineLoaded().get(120, TimeUnit.SECONDS);
    return server;
  }
}
