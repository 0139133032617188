package sail.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import sail.server.evaluation.Judges;

/**
 * Builds a {@link ServerConfig} from defaults, an optional file and command-line overrides, in that
 * order of precedence (later wins).
 *
 * <p>Both file formats use the same dotted keys: a {@code .properties} file lists them flat ({@code
 * http.port=9000}), a {@code .json} file nests them ({@code {"http": {"port": 9000}}}). Keys:
 *
 * <pre>
 * http.host  http.port  data_dir  train  drain_timeout_ms
 * limits.max_prompt_chars  limits.max_tokens  limits.default_max_tokens  limits.max_candidates
 * limits.max_stop_sequences  limits.max_body_bytes
 * engine.max_batch  engine.queue_capacity  engine.device  engine.checkpoint
 * training.pairs  training.preset  training.batch_size  training.publish_every
 * training.checkpoint_every  training.learning_rate
 * evaluation.judge
 * </pre>
 *
 * An unknown key is an error, so a typo never silently falls back to a default.
 */
public final class ConfigLoader {
  static final Set<String> KEYS =
      Set.of(
          "http.host",
          "http.port",
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
          "training.pairs",
          "training.preset",
          "training.batch_size",
          "training.publish_every",
          "training.checkpoint_every",
          "training.learning_rate",
          "evaluation.judge");

  private ConfigLoader() {}

  /**
   * @param file a {@code .json} or {@code .properties} file, or {@code null}
   * @param overrides dotted keys to values, e.g. from command-line flags
   */
  public static ServerConfig load(Path file, Map<String, String> overrides) throws ConfigException {
    Map<String, String> values = new LinkedHashMap<>();
    if (file != null) {
      values.putAll(read(file));
    }
    values.putAll(overrides);
    return build(values, file == null ? "flags" : file.toString());
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
            v.integer("http.port", d.http().port(), 0, 65535));
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
            checkpoint == null || checkpoint.isBlank() ? null : Path.of(checkpoint));

    return new ServerConfig(
        http,
        Path.of(v.string("data_dir", d.dataDir().toString())),
        limits,
        engine,
        v.bool("train", d.train()),
        Duration.ofMillis(
            v.integer("drain_timeout_ms", (int) d.drainTimeout().toMillis(), 0, 3_600_000)),
        training(v, source, d.training()),
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
    if (!Set.of("default", "dpo", "sail-ddp", "sail-dpp").contains(preset)) {
      throw new ConfigException(
          source
              + ": training.preset must be default, dpo, sail-ddp or sail-dpp, got '"
              + preset
              + "'"
              + ("sail-dpr".equals(preset)
                  ? " (sail-dpr needs the reward model, which the server does not train yet)"
                  : ""));
    }
    String rate = v.string("training.learning_rate", Double.toString(d.learningRate()));
    double learningRate;
    try {
      learningRate = Double.parseDouble(rate);
    } catch (NumberFormatException e) {
      throw new ConfigException(source + ": training.learning_rate must be a number, got " + rate);
    }
    if (!(learningRate > 0 && learningRate < 1)) {
      throw new ConfigException(
          source + ": training.learning_rate must be in (0, 1), got " + learningRate);
    }
    String pairs = v.string("training.pairs", null);
    return new ServerConfig.Training(
        pairs == null || pairs.isBlank() ? null : Path.of(pairs),
        preset,
        v.integer("training.batch_size", d.batchSize(), 1, 1024),
        v.integer("training.publish_every", d.publishEvery(), 1, 1_000_000),
        v.integer("training.checkpoint_every", d.checkpointEvery(), 1, 1_000_000),
        learningRate);
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
