package sail.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import sail.server.security.ApiKeys;

/**
 * Everything the server reads at start, validated once by {@link ConfigLoader}. Each record's
 * {@code DEFAULTS} documents the default values.
 *
 * @param http where to listen
 * @param dataDir directory of the traffic log and checkpoints (default {@code ./data})
 * @param limits request limits enforced by the API layer
 * @param engine inference engine settings
 * @param train whether online training runs beside serving (off with {@code --no-train})
 * @param drainTimeout how long a graceful stop waits for in-flight requests (default 30 s)
 * @param training online training settings (used when {@code train} is on)
 * @param security API keys, TLS, rate limits and CORS
 * @param evaluation settings of the Evaluate admin call
 */
public record ServerConfig(
    Http http,
    Path dataDir,
    Limits limits,
    Engine engine,
    boolean train,
    Duration drainTimeout,
    Training training,
    Security security,
    Evaluation evaluation) {

  public static final ServerConfig DEFAULTS =
      new ServerConfig(
          Http.DEFAULTS,
          Path.of("data"),
          Limits.DEFAULTS,
          Engine.DEFAULTS,
          true,
          Duration.ofSeconds(30),
          Training.DEFAULTS,
          Security.DEFAULTS,
          Evaluation.DEFAULTS);

  /**
   * @param host bind address; the default {@code 127.0.0.1} keeps the server off the network
   * @param port TCP port for gRPC and HTTP together; 0 picks a free one (default 8080)
   * @param idleTimeout a connection on which nothing is read or written for this long is closed (5
   *     minutes: longer than any generation takes, so only abandoned connections are cut)
   * @param maxConnections connections beyond this many open at once are closed as they arrive
   *     (4096), so idle or slow clients cannot exhaust the server's file descriptors
   */
  public record Http(String host, int port, Duration idleTimeout, int maxConnections) {
    public static final Http DEFAULTS = new Http("127.0.0.1", 8080, Duration.ofMinutes(5), 4096);
  }

  /**
   * @param maxPromptChars longest accepted prompt, all messages together, in characters (8192)
   * @param maxTokens largest accepted {@code max_tokens} (1024)
   * @param defaultMaxTokens {@code max_tokens} when the request leaves it out (128)
   * @param maxCandidates largest accepted {@code n} (4)
   * @param maxStopSequences most accepted stop sequences (4)
   * @param maxBodyBytes largest accepted HTTP request body (1 MiB)
   */
  public record Limits(
      int maxPromptChars,
      int maxTokens,
      int defaultMaxTokens,
      int maxCandidates,
      int maxStopSequences,
      int maxBodyBytes) {
    public static final Limits DEFAULTS = new Limits(8192, 1024, 128, 4, 4, 1 << 20);
  }

  /**
   * @param maxBatch most sequences decoded together (16)
   * @param queueCapacity most requests waiting for a batch slot before new ones are refused with
   *     RESOURCE_EXHAUSTED / HTTP 429 (64)
   * @param device {@code auto}, {@code cpu} or {@code gpu}
   * @param checkpoint model checkpoint to serve; {@code null} means the embedded default model
   * @param lanes engine threads, each decoding its share of the slots (1)
   */
  public record Engine(int maxBatch, int queueCapacity, String device, Path checkpoint, int lanes) {
    public static final Engine DEFAULTS = new Engine(16, 64, "auto", null, 1);
  }

  /**
   * @param pairs offline preference pairs (JSONL); {@code null} means the shipped ones
   * @param preset training preset: {@code default}, {@code dpo}, {@code sail-ddp}, {@code
   *     sail-dpp}, {@code sail-dpr}, {@code feedback-only} or {@code choices} (see {@code
   *     TrainingPreset})
   * @param batchSize preference rows per step (16)
   * @param publishEvery steps between guarded publishes (5)
   * @param checkpointEvery steps between training checkpoints (50)
   * @param learningRate AdamW learning rate; {@code null} (the default) keeps the preset's own
   * @param beta β of the objective; {@code null} (the default) keeps the preset's own
   * @param mixture the share of rows each route takes ({@code training.mixture}, {@code
   *     ddp:R,dpp:P,dpr:G}, the offline DPO route the rest); {@code null} (the default) keeps the
   *     preset's own
   * @param dialogueAnchor λ of the dialogue anchor (NLL of people-written dialogue replies added to
   *     each step; 0 turns it off); {@code null} (the default) keeps the server's for presets with
   *     the NLL anchor, none for the authors' presets
   * @param entropyFloor η of the entropy floor (the policy's next-token entropy on a step's replies
   *     held at the reference's; 0 turns it off); {@code null} (the default) keeps the server's for
   *     presets with the NLL anchor, none for the authors' presets
   * @param cpuShare the trainer's share of wall time (1: train whenever serving allows)
   * @param threads intra-op threads of the trainer's native calls (1: the engine thread keeps the
   *     other core of a 2-core machine, stack-notes.md "Threads")
   * @param rewardModel train a reward model on people's ratings and choices, which labels fresh DPR
   *     samples once it is accurate enough (true); without it DPR rows use people's labels only
   * @param rewardModelKind which reward model: {@code words} (the default, a linear model over the
   *     reply's words) or {@code transformer} (a copy of the base model with a scalar head). Why
   *     words: it learned the demo's family users' taste within 10 of its steps where the
   *     transformer never became ready, ranks the positive-sentiment users' pairs as well or
   *     better, and costs the trainer about 2.5 s a run instead of 93-137 s (docs/benchmarks.md,
   *     docs/demo.md runs 50-56)
   * @param dprCandidates replies sampled per prompt of a fresh DPR row, of which the reward model
   *     labels the two it scores furthest apart (4; 2 labels the pair as sampled)
   * @param guardPrompts held-out prompts the publish guards sample twice each (48); more replies
   *     measure fluency with less noise and take longer to sample at each publish
   * @param rewardLearnsOfflinePairs the reward model also trains on the offline preference pairs
   *     when the preset trains the policy on them (a server that trusts the dataset to carry its
   *     users' taste); its readiness is still judged on people's held-out labels only
   * @param publishAverage d of an exponential moving average of the weights (0 ≤ d < 1) that
   *     publishes serve instead of the last step's; 0 (the default) serves the last step's
   */
  public record Training(
      Path pairs,
      String preset,
      int batchSize,
      int publishEvery,
      int checkpointEvery,
      Double learningRate,
      Double beta,
      sail.server.training.objective.MixtureWeights mixture,
      Double dialogueAnchor,
      Double entropyFloor,
      double cpuShare,
      int threads,
      boolean rewardModel,
      String rewardModelKind,
      int dprCandidates,
      int guardPrompts,
      boolean rewardLearnsOfflinePairs,
      double publishAverage) {
    /** The reward model kinds {@code training.reward_model_kind} accepts. */
    public static final List<String> REWARD_MODEL_KINDS =
        sail.server.training.reward.TrainableReward.KINDS;

    public static final Training DEFAULTS =
        new Training(
            null,
            "default",
            16,
            sail.server.training.TrainerSettings.DEFAULT_PUBLISH_EVERY,
            50,
            null,
            null,
            null,
            null,
            null,
            1.0,
            1,
            true,
            "words",
            sail.server.training.TrainerSettings.DEFAULT_DPR_CANDIDATES,
            sail.server.training.TrainerSettings.DEFAULT_GUARD_PROMPTS,
            false,
            0.0);
  }

  /**
   * @param apiKeys keys and their roles; {@link ApiKeys#NONE} (the default) turns access control
   *     off, which is only allowed on a loopback {@code http.host} unless {@code insecureNoAuth}
   * @param insecureNoAuth lets the server listen beyond loopback without keys (default false)
   * @param tls certificate and private key for TLS on the one port; {@code null} (the default)
   *     means plain text
   * @param rateLimit requests per second per key; {@code null} (the default) means no limit
   * @param corsOrigins origins other than the server's own whose pages may call the HTTP API
   *     (default none: only the page the server itself serves)
   */
  public record Security(
      ApiKeys apiKeys,
      boolean insecureNoAuth,
      Tls tls,
      RateLimit rateLimit,
      List<String> corsOrigins) {
    public static final Security DEFAULTS =
        new Security(ApiKeys.NONE, false, null, null, List.of());

    public Security {
      corsOrigins = List.copyOf(corsOrigins);
    }
  }

  /**
   * @param certificate PEM certificate chain, server certificate first
   * @param privateKey PEM private key (PKCS#8 or PKCS#1)
   */
  public record Tls(Path certificate, Path privateKey) {}

  /**
   * @param perSecond sustained requests per second per key (per client address without keys)
   * @param burst requests a caller may make at once after being idle
   */
  public record RateLimit(double perSecond, int burst) {}

  /**
   * @param judge who decides each comparison of an evaluation: {@code annotator:positive-sentiment}
   *     (the default task's simulated annotator) or {@code annotator:topic:<name>} (see {@code
   *     sail.server.evaluation.Judges})
   */
  public record Evaluation(String judge) {
    public static final Evaluation DEFAULTS = new Evaluation("annotator:positive-sentiment");
  }
}
