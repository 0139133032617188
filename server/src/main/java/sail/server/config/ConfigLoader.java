package sail.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import sail.server.evaluation.Judges;
import sail.server.security.ApiKeys;
import sail.server.security.Loopback;
import sail.server.training.objective.MixtureWeights;

/**
 * Builds a {@link ServerConfig} from defaults, an optional file and command-line overrides, in that
 * order of precedence (later wins).
 *
 * <p>Both file formats use the same dotted keys: a {@code .properties} file lists them flat ({@code
 * http.port=9000}), a {@code .json} file nests them ({@code {"http": {"port": 9000}}}). Keys:
 *
 * <pre>
 * http.host  http.port  http.idle_timeout_ms  http.max_connections  data_dir  train
 * drain_timeout_ms
 * limits.max_prompt_chars  limits.max_tokens  limits.default_max_tokens  limits.max_candidates
 * limits.max_stop_sequences  limits.max_body_bytes
 * engine.max_batch  engine.queue_capacity  engine.device  engine.checkpoint  engine.lanes
 * training.pairs  training.preset  training.batch_size  training.publish_every
 * training.checkpoint_every  training.learning_rate  training.cpu_share  training.threads
 * training.reward_model  training.reward_model_kind
 * security.api_keys_file  security.insecure_no_auth  security.tls_cert  security.tls_key
 * security.rate_limit_rps  security.rate_limit_burst  security.cors_origins
 * evaluation.judge
 * </pre>
 *
 * An unknown key is an error, so a typo never silently falls back to a default. API keys come from
 * {@code security.api_keys_file} or the environment variable {@value #API_KEYS_ENV} (same format,
 * see {@link ApiKeys}), never from the config file itself, so the file can be shared.
 */
public final class ConfigLoader {
  static final Set<String> KEYS =
      Set.of(
          "http.host",
          "http.port",
          "http.idle_timeout_ms",
          "http.max_connections",
          "data_dir",
          "train",
          "drain_timeout_ms",
          "limits.max_prompt_chars",
          "limits.max_tokens",
          "limits.default_max_tokens",
          "limits.max_candidates",
          "limits.max_stop_sequences",
          "limits.max_body_bytes",
          "engine.max_batch",
          "engine.queue_capacity",
          "engine.device",
          "engine.checkpoint",
          "engine.lanes",
          "training.pairs",
          "training.preset",
          "training.batch_size",
          "training.publish_every",
          "training.checkpoint_every",
          "training.learning_rate",
          "training.beta",
          "training.mixture",
          "training.dialogue_anchor",
          "training.entropy_floor",
          "training.cpu_share",
          "training.threads",
          "training.reward_model",
          "training.reward_model_kind",
          "training.dpr_candidates",
          "training.guard_prompts",
          "training.reward_offline_pairs",
          "training.publish_average",
          "security.api_keys_file",
          "security.insecure_no_auth",
          "security.tls_cert",
          "security.tls_key",
          "security.rate_limit_rps",
          "security.rate_limit_burst",
          "security.cors_origins",
          "evaluation.judge");

  /** Environment variable that may hold the API keys instead of a key file. */
  public static final String API_KEYS_ENV = "SAIL_API_KEYS";

  private ConfigLoader() {}

  /**
   * @param file a {@code .json} or {@code .properties} file, or {@code null}
   * @param overrides dotted keys to values, e.g. from command-line flags
   */
  public static ServerConfig load(Path file, Map<String, String> overrides) throws ConfigException {
    return load(file, overrides, Map.of());
  }

  /**
   * @param environment the process environment; only {@value #API_KEYS_ENV} is read from it
   */
  public static ServerConfig load(
      Path file, Map<String, String> overrides, Map<String, String> environment)
      throws ConfigException {
    Map<String, String> values = new LinkedHashMap<>();
    if (file != null) {
      values.putAll(read(file));
    }
    values.putAll(overrides);
    return build(values, file == null ? "flags" : file.toString(), environment);
  }

  static Map<String, String> read(Path file) throws ConfigException {
    String name = file.getFileName().toString();
    Map<String, String> values = new LinkedHashMap<>();
    try (Reader reader = Files.newBufferedReader(file)) {
      if (name.endsWith(".json")) {
        flatten("", new ObjectMapper().readTree(reader), values, file);
      } else if (name.endsWith(".properties")) {
        Properties properties = new Properties();
        properties.load(reader);
        properties.forEach((k, v) -> values.put(k.toString().trim(), v.toString().trim()));
      } else {
        throw new ConfigException(
            "config file " + file + " must end in .json or .properties to tell its format");
      }
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    return values;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file)
      throws ConfigException {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        flatten(
            prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(),
            field.getValue(),
            out,
            file);
      }
    } else if (node.isValueNode()) {
      out.put(prefix, node.isNull() ? null : node.asText());
    } else {
      throw new ConfigException(
          "config file " + file + ": key '" + prefix + "' must be a value or an object");
    }
  }

  static ServerConfig build(Map<String, String> values, String source) throws ConfigException {
    return build(values, source, Map.of());
  }

  static ServerConfig build(
      Map<String, String> values, String source, Map<String, String> environment)
      throws ConfigException {
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(KEYS);
    if (!unknown.isEmpty()) {
      throw new ConfigException(
          source
              + ": unknown config key(s) "
              + unknown
              + "; known keys are "
              + new TreeSet<>(KEYS));
    }
    Values v = new Values(values, source);
    ServerConfig d = ServerConfig.DEFAULTS;

    ServerConfig.Http http =
        new ServerConfig.Http(
            v.string("http.host", d.http().host()),
            v.integer("http.port", d.http().port(), 0, 65535),
            Duration.ofMillis(
                v.integer(
                    "http.idle_timeout_ms",
                    (int) d.http().idleTimeout().toMillis(),
                    100,
                    86_400_000)),
            v.integer("http.max_connections", d.http().maxConnections(), 1, 1 << 20));
    if (http.host().isBlank()) {
      throw new ConfigException(source + ": http.host must not be empty");
    }

    ServerConfig.Limits dl = d.limits();
    int maxTokens = v.integer("limits.max_tokens", dl.maxTokens(), 1, 1 << 20);
    ServerConfig.Limits limits =
        new ServerConfig.Limits(
            v.integer("limits.max_prompt_chars", dl.maxPromptChars(), 1, 1 << 26),
            maxTokens,
            v.integer(
                "limits.default_max_tokens",
                Math.min(dl.defaultMaxTokens(), maxTokens),
                1,
                maxTokens),
            v.integer("limits.max_candidates", dl.maxCandidates(), 1, 16),
            v.integer("limits.max_stop_sequences", dl.maxStopSequences(), 0, 64),
            v.integer("limits.max_body_bytes", dl.maxBodyBytes(), 1024, 1 << 30));

    ServerConfig.Engine de = d.engine();
    String device = v.string("engine.device", de.device());
    if (!Set.of("auto", "cpu", "gpu").contains(device)) {
      throw new ConfigException(
          source + ": engine.device must be auto, cpu or gpu, got '" + device + "'");
    }
    String checkpoint = v.string("engine.checkpoint", null);
    ServerConfig.Engine engine =
        new ServerConfig.Engine(
            v.integer("engine.max_batch", de.maxBatch(), 1, 4096),
            v.integer("engine.queue_capacity", de.queueCapacity(), 0, 1 << 20),
            device,
            checkpoint == null || checkpoint.isBlank() ? null : Path.of(checkpoint),
            v.integer("engine.lanes", de.lanes(), 1, 64));

    return new ServerConfig(
        http,
        Path.of(v.string("data_dir", d.dataDir().toString())),
        limits,
        engine,
        v.bool("train", d.train()),
        Duration.ofMillis(
            v.integer("drain_timeout_ms", (int) d.drainTimeout().toMillis(), 0, 3_600_000)),
        training(v, source, d.training()),
        security(v, source, http.host(), environment),
        evaluation(v, source, d.evaluation()));
  }

  private static ServerConfig.Evaluation evaluation(
      Values v, String source, ServerConfig.Evaluation d) throws ConfigException {
    String judge = v.string("evaluation.judge", d.judge());
    try {
      Judges.validate(judge);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source + ": evaluation.judge: " + e.getMessage());
    }
    return new ServerConfig.Evaluation(judge);
  }

  private static ServerConfig.Training training(Values v, String source, ServerConfig.Training d)
      throws ConfigException {
    String preset = v.string("training.preset", d.preset());
    if (!sail.server.training.TrainingPreset.names().contains(preset)) {
      throw new ConfigException(
          source
              + ": training.preset must be one of "
              + String.join(", ", sail.server.training.TrainingPreset.names())
              + ", got '"
              + preset
              + "'");
    }
    String rewardKind = v.string("training.reward_model_kind", d.rewardModelKind());
    if (!ServerConfig.Training.REWARD_MODEL_KINDS.contains(rewardKind)) {
      throw new ConfigException(
          source
              + ": training.reward_model_kind must be one of "
              + String.join(", ", ServerConfig.Training.REWARD_MODEL_KINDS)
              + ", got '"
              + rewardKind
              + "'");
    }
    String pairs = v.string("training.pairs", null);
    String mixtureSpec = v.string("training.mixture", null);
    MixtureWeights mixture = d.mixture();
    if (mixtureSpec != null && !mixtureSpec.isBlank()) {
      try {
        mixture = MixtureWeights.parse(mixtureSpec);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(source + ": training.mixture: " + e.getMessage());
      }
    }
    return new ServerConfig.Training(
        pairs == null || pairs.isBlank() ? null : Path.of(pairs),
        preset,
        v.integer("training.batch_size", d.batchSize(), 1, 1024),
        v.integer("training.publish_every", d.publishEvery(), 1, 1_000_000),
        v.integer("training.checkpoint_every", d.checkpointEvery(), 1, 1_000_000),
        v.positive("training.learning_rate", d.learningRate(), 1, false),
        v.positive("training.beta", d.beta(), 10, true),
        mixture,
        v.nonNegative("training.dialogue_anchor", d.dialogueAnchor(), 100),
        v.nonNegative("training.entropy_floor", d.entropyFloor(), 100),
        v.positive("training.cpu_share", d.cpuShare(), 1, true),
        v.integer("training.threads", d.threads(), 1, 256),
        v.bool("training.reward_model", d.rewardModel()),
        rewardKind,
        v.integer("training.dpr_candidates", d.dprCandidates(), 2, 16),
        v.integer("training.guard_prompts", d.guardPrompts(), 4, 1024),
        v.bool("training.reward_offline_pairs", d.rewardLearnsOfflinePairs()),
        v.decimal("training.publish_average", d.publishAverage(), 0, 0.999));
  }

  private static ServerConfig.Security security(
      Values v, String source, String host, Map<String, String> environment)
      throws ConfigException {
    ApiKeys keys = apiKeys(v.string("security.api_keys_file", null), environment.get(API_KEYS_ENV));
    boolean insecure = v.bool("security.insecure_no_auth", false);
    if (keys.isEmpty() && !insecure && !Loopback.isLoopbackAddress(host)) {
      throw new ConfigException(
          source
              + ": http.host is "
              + host
              + ", which other machines can reach, but no API keys are configured, so anyone"
              + " could generate and control training. Give keys with --api-keys FILE"
              + " (security.api_keys_file) or "
              + API_KEYS_ENV
              + ", bind 127.0.0.1, or pass --insecure-no-auth (security.insecure_no_auth=true)"
              + " to accept the risk");
    }

    String cert = v.string("security.tls_cert", null);
    String key = v.string("security.tls_key", null);
    if ((cert == null) != (key == null)) {
      throw new ConfigException(
          source
              + ": TLS needs both security.tls_cert and security.tls_key (--tls-cert, --tls-key)");
    }
    ServerConfig.Tls tls =
        cert == null
            ? null
            : new ServerConfig.Tls(
                readable(source, "security.tls_cert", cert),
                readable(source, "security.tls_key", key));

    double perSecond = v.decimal("security.rate_limit_rps", 0, 0, 1e6);
    int burst =
        v.integer(
            "security.rate_limit_burst", (int) Math.max(1, Math.ceil(perSecond)), 1, 1_000_000);
    ServerConfig.RateLimit rateLimit =
        perSecond == 0 ? null : new ServerConfig.RateLimit(perSecond, burst);

    List<String> origins = new ArrayList<>();
    for (String origin : v.string("security.cors_origins", "").split(",")) {
      if (!origin.isBlank()) {
        origins.add(origin(source, origin.trim()));
      }
    }
    return new ServerConfig.Security(keys, insecure, tls, rateLimit, origins);
  }

  private static ApiKeys apiKeys(String file, String fromEnvironment) throws ConfigException {
    if (file != null && fromEnvironment != null) {
      throw new ConfigException(
          "API keys are given both in security.api_keys_file ("
              + file
              + ") and in "
              + API_KEYS_ENV
              + "; use one of them");
    }
    try {
      if (file != null) {
        return ApiKeys.parse(Files.readString(Path.of(file)), file);
      } else if (fromEnvironment != null) {
        return ApiKeys.parse(fromEnvironment, API_KEYS_ENV);
      }
      return ApiKeys.NONE;
    } catch (IOException e) {
      throw new ConfigException("cannot read API key file " + file + ": " + e, e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("API keys: " + e.getMessage(), e);
    }
  }

  private static Path readable(String source, String key, String value) throws ConfigException {
    Path path = Path.of(value);
    if (!Files.isReadable(path)) {
      throw new ConfigException(source + ": " + key + " " + value + " is not a readable file");
    }
    return path;
  }

  /** An origin is {@code scheme://host[:port]} with nothing after it, as browsers send it. */
  private static String origin(String source, String origin) throws ConfigException {
    try {
      URI uri = new URI(origin);
      boolean web = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      if (web
          && uri.getHost() != null
          && uri.getRawPath().isEmpty()
          && uri.getRawQuery() == null
          && uri.getRawFragment() == null
          && uri.getRawUserInfo() == null) {
        return origin;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    throw new ConfigException(
        source
            + ": security.cors_origins entries must look like https://host or http://host:port,"
            + " got '"
            + origin
            + "'");
  }

  private record Values(Map<String, String> values, String source) {
    String string(String key, String fallback) {
      String value = values.get(key);
      return value == null ? fallback : value;
    }

    int integer(String key, int fallback, int min, int max) throws ConfigException {
      String value = values.get(key);
      if (value == null) {
        return fallback;
      }
      int parsed;
      try {
        parsed = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(source + ": " + key + " must be an integer, got '" + value + "'");
      }
      if (parsed < min || parsed > max) {
        throw new ConfigException(
            source + ": " + key + " must be in [" + min + ", " + max + "], got " + parsed);
      }
      return parsed;
    }

    double decimal(String key, double fallback, double min, double max) throws ConfigException {
      String value = values.get(key);
      if (value == null) {
        return fallback;
      }
      double parsed;
      try {
        parsed = Double.parseDouble(value.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(source + ": " + key + " must be a number, got '" + value + "'");
      }
      if (!(parsed >= min && parsed <= max)) {
        throw new ConfigException(
            source + ": " + key + " must be in [" + min + ", " + max + "], got " + parsed);
      }
      return parsed;
    }

    /**
     * A number above 0 and below {@code max} (up to it when {@code maxIncluded}), or {@code
     * fallback} when the key is absent ({@code null} for a setting whose absence means "the
     * preset's own").
     */
    Double positive(String key, Double fallback, double max, boolean maxIncluded)
        throws ConfigException {
      String value = values.get(key);
      if (value == null) {
        return fallback;
      }
      double parsed;
      try {
        parsed = Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new ConfigException(source + ": " + key + " must be a number, got " + value);
      }
      if (!(parsed > 0 && (maxIncluded ? parsed <= max : parsed < max))) {
        throw new ConfigException(
            source
                + ": "
                + key
                + " must be in (0, "
                + new java.math.BigDecimal(Double.toString(max))
                    .stripTrailingZeros()
                    .toPlainString()
                + (maxIncluded ? "]" : ")")
                + ", got "
                + parsed);
      }
      return parsed;
    }

    /**
     * A number in [0, max], or {@code fallback} when the key is absent ({@code null} for a setting
     * whose absence means "the preset's own").
     */
    Double nonNegative(String key, Double fallback, double max) throws ConfigException {
      if (values.get(key) == null) {
        return fallback; // not a conditional expression: that would unbox a null fallback
      }
      return decimal(key, 0, 0, max);
    }

    boolean bool(String key, boolean fallback) throws ConfigException {
      String value = values.get(key);
      if (value == null) {
        return fallback;
      }
      return switch (value.trim().toLowerCase()) {
        case "true" -> true;
        case "false" -> false;
        default ->
            throw new ConfigException(
                source + ": " + key + " must be true or false, got '" + value + "'");
      };
    }
  }
}
