package sail.server.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sail.server.RunningServer;
import sail.server.ServerMain;
import sail.server.config.ConfigException;
import sail.server.config.ConfigLoader;
import sail.server.config.ServerConfig;
import sail.server.data.TrafficLog;

/** {@code sail serve}: runs the server in the foreground until SIGTERM or Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve the model over gRPC and HTTP on one port; stops gracefully on SIGTERM.")
public final class ServeCommand implements Callable<Integer> {

  @Option(names = "--config", description = "config file (.json or .properties)")
  Path configFile;

  @Option(names = "--port", description = "port for gRPC and HTTP (default 8080; 0 = any free)")
  Integer port;

  @Option(names = "--host", description = "bind address (default 127.0.0.1)")
  String host;

  @Option(names = "--data-dir", description = "traffic log and checkpoints (default ./data)")
  Path dataDir;

  @Option(names = "--no-train", description = "serve only; no online training")
  boolean noTrain;

  @Option(names = "--max-batch", description = "most sequences decoded together (default 16)")
  Integer maxBatch;

  @Option(
      names = "--queue-capacity",
      description = "requests waiting for a slot before 429 / RESOURCE_EXHAUSTED (default 64)")
  Integer queueCapacity;

  @Option(
      names = "--api-keys",
      paramLabel = "FILE",
      description =
          "API keys, one 'user KEY' or 'admin KEY' per line (or set SAIL_API_KEYS);"
              + " without keys the server only binds loopback")
  Path apiKeys;

  @Option(
      names = "--insecure-no-auth",
      description = "allow a non-loopback --host without API keys (logs a loud warning)")
  boolean insecureNoAuth;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "TLS certificate chain")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "TLS private key")
  Path tlsKey;

  @Option(
      names = "--rate-limit",
      paramLabel = "RPS",
      description = "requests per second per API key (default: no limit)")
  Double rateLimit;

  @Option(
      names = "--rate-burst",
      paramLabel = "N",
      description = "requests a key may send at once (default: one second's worth)")
  Integer rateBurst;

  @Option(
      names = "--cors-origin",
      paramLabel = "ORIGIN",
      description = "another site whose pages may call the HTTP API, e.g. https://app.example.com")
  List<String> corsOrigins;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "any config key, e.g. --set training.preset=feedback-only --set training.cpu_share=0.7"
              + " (repeatable; overrides the config file and the flags above)")
  Map<String, String> settings = new HashMap<>();

  /** The engine to run; tests substitute their own. */
  private final ServerMain.EngineFactory engineFactory;

  public ServeCommand() {
    this(ServerMain.ENGINE);
  }

  public ServeCommand(ServerMain.EngineFactory engineFactory) {
    this.engineFactory = engineFactory;
  }

  /** Flags as config keys; they override the config file. */
  Map<String, String> overrides() {
    Map<String, String> o = new HashMap<>();
    if (port != null) {
      o.put("http.port", port.toString());
    }
    if (host != null) {
      o.put("http.host", host);
    }
    if (dataDir != null) {
      o.put("data_dir", dataDir.toString());
    }
    if (noTrain) {
      o.put("train", "false");
    }
    if (maxBatch != null) {
      o.put("engine.max_batch", maxBatch.toString());
    }
    if (queueCapacity != null) {
      o.put("engine.queue_capacity", queueCapacity.toString());
    }
    securityOverrides(o);
    o.putAll(settings);
    return o;
  }

  private void securityOverrides(Map<String, String> o) {
    if (apiKeys != null) {
      o.put("security.api_keys_file", apiKeys.toString());
    }
    if (insecureNoAuth) {
      o.put("security.insecure_no_auth", "true");
    }
    if (tlsCert != null) {
      o.put("security.tls_cert", tlsCert.toString());
    }
    if (tlsKey != null) {
      o.put("security.tls_key", tlsKey.toString());
    }
    if (rateLimit != null) {
      o.put("security.rate_limit_rps", rateLimit.toString());
    }
    if (rateBurst != null) {
      o.put("security.rate_limit_burst", rateBurst.toString());
    }
    if (corsOrigins != null) {
      o.put("security.cors_origins", String.join(",", corsOrigins));
    }
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig config;
    try {
      config = ConfigLoader.load(configFile, overrides(), System.getenv());
    } catch (ConfigException e) {
      System.err.println("sail serve: " + e.getMessage());
      return 2;
    }
    RunningServer server;
    try {
      server = ServerMain.start(config, engineFactory);
    } catch (TrafficLog.DamagedLogException e) {
      // the message says what to do; a stack trace would bury it
      System.err.println("sail serve: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "graceful-stop"));
    // machine-readable first line, e.g. for scripts and tests that start on port 0
    System.out.println("listening " + config.http().host() + ":" + server.port());
    System.out.flush();
    try {
      server.engineLoaded().get();
    } catch (ExecutionException e) {
      System.err.println("sail serve: engine failed to load: " + e.getCause().getMessage());
      server.close();
      return 1;
    }
    System.out.println("ready");
    System.out.flush();
    server.awaitStopped();
    return 0;
  }
}
