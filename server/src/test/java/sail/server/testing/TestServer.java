package sail.server.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import sail.server.RunningServer;
import sail.server.ServerMain;
import sail.server.config.ConfigLoader;

/**
 * Starts the real server (composition root and all) on a random port with an {@link EchoGenerator}.
 */
public final class TestServer {
  private TestServer() {}

  public static RunningServer start(Path dataDir, EchoGenerator engine, Map<String, String> extra)
      throws Exception {
    Map<String, String> keys = new HashMap<>();
    keys.put("http.port", "0");
    keys.put("data_dir", dataDir.toString());
    keys.put("drain_timeout_ms", "2000");
    keys.putAll(extra);
    RunningServer server = ServerMain.start(ConfigLoader.load(null, keys), config -> engine);
    server.engineLoaded().get(10, TimeUnit.SECONDS);
    return server;
  }

  /**
   * Starts with API keys: writes {@code keys} (key file format) to {@code dir/keys.txt}; data goes
   * to {@code dir/data}.
   */
  public static RunningServer startWithKeys(
      Path dir, EchoGenerator engine, String keys, Map<String, String> extra) throws Exception {
    Path file = Files.writeString(dir.resolve("keys.txt"), keys);
    Map<String, String> config = new HashMap<>(extra);
    config.put("security.api_keys_file", file.toString());
    return start(dir.resolve("data"), engine, config);
  }

  public static RunningServer start(Path dataDir, EchoGenerator engine) throws Exception {
    return start(dataDir, engine, Map.of());
  }
}
