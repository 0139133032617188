package sail.server.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import sail.server.RunningServer;

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
    Map<String, String> keys = new HashMap<>(TinyModelServer.trainingKeys(dir));
    keys.putAll(extra);
    return TinyModelServer.start(dir, keys);
  }
}
