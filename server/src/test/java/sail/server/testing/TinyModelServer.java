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
 * The real server with the real DJL engine on a tiny model (see {@link TinyModels}), on a random
 * port: the model is initialised from a fixed seed and saved as the checkpoint to serve.
 */
public final class TinyModelServer {
  private TinyModelServer() {}

  /**
   * Saves the tiny checkpoint under {@code dir} (unless an earlier start did) and starts a server
   * on it with its data in {@code dir/data}; returns once the engine is loaded.
   *
   * @param extra further config keys, e.g. those of {@link #trainingKeys}
   */
  public static RunningServer start(Path dir, Map<String, String> extra) throws Exception {
    Path checkpoint = dir.resolve("tiny");
    // a restart on the same directory (crash tests) serves the model saved by the first start
    if (!Files.exists(checkpoint)) {
      // a fixed initialisation, so whether the publish guards pass does not depend on test order
      ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(20240601);
      try (GptLanguageModel model = TinyModels.create()) {
        WeightSnapshot weights = WeightSnapshot.copyOf(model.block(), Device.cpu());
        ModelLoader.save(checkpoint, model, weights, 0, -1, Map.of(), null);
        weights.release();
      }
    }
    Map<String, String> keys = new HashMap<>();
    keys.put("http.port", "0");
    keys.put("data_dir", dir.resolve("data").toString());
    keys.put("engine.checkpoint", checkpoint.toString());
    keys.putAll(extra);
    RunningServer server = ServerMain.start(ConfigLoader.load(null, keys), ServerMain.ENGINE);
    server.engineLoaded().get(120, TimeUnit.SECONDS);
    return server;
  }

  /**
   * Config keys for online DPO training on eight offline pairs written to {@code dir}, two pairs a
   * step, publishing and checkpointing every two steps.
   */
  public static Map<String, String> trainingKeys(Path dir) throws Exception {
    List<String> pairs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      pairs.add(
          "{\"prompt\":\"Hello " + i + "\",\"chosen\":\"Lovely " + i + "\",\"rejected\":\"No\"}");
    }
    Path pairsFile = dir.resolve("pairs.jsonl");
    Files.write(pairsFile, pairs);
    return Map.of(
        "train", "true",
        "training.pairs", pairsFile.toString(),
        "training.preset", "dpo",
        "training.batch_size", "2",
        "training.publish_every", "2",
        "training.checkpoint_every", "2");
  }
}
