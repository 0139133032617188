package sail.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sail.server.api.ApiServer;
import sail.server.api.GenerationService;
import sail.server.api.RequestValidator;
import sail.server.cli.ServeCommand;
import sail.server.config.ServerConfig;
import sail.server.data.TrafficLog;
import sail.server.evaluation.Evaluator;
import sail.server.evaluation.Judges;
import sail.server.evaluation.ModelVersions;
import sail.server.inference.EngineLoader;
import sail.server.inference.EngineSettings;
import sail.server.inference.EngineStats;
import sail.server.inference.InferenceEngine;
import sail.server.inference.TextGenerator;
import sail.server.metrics.ServingMetrics;
import sail.server.metrics.TrainingMetrics;
import sail.server.registry.ModelRegistry;
import sail.server.security.Loopback;
import sail.server.task.Prompt;
import sail.server.task.PromptSets;
import sail.server.training.TrainerFactory;
import sail.server.training.TrainerSettings;
import sail.server.training.TrainerVerticle;
import sail.server.training.TrainingLoop;
import sail.server.training.TrainingPreset;

/**
 * The composition root: the only place that constructs the server's object graph.
 *
 * <p>Start order: traffic log, metrics, API server (listening at once, {@code /health/ready} 503),
 * then the engine on a loader thread; readiness flips to 200 when the engine is published. Stop
 * order in {@link RunningServer#close()}: refuse new requests, drain in-flight ones, close the
 * engine, flush and close the log, close Vert.x.
 */
public final class ServerMain {
  private static final Logger LOG = LoggerFactory.getLogger(ServerMain.class);

  /** Builds the inference engine; runs on a loader thread, so it may take seconds. */
  @FunctionalInterface
  public interface EngineFactory {
    TextGenerator create(ServerConfig config) throws Exception;
  }

  // ================================ ENGINE PLUG-IN POINT ================================
  // The engine `serve` runs: the DJL continuous-batching engine on the configured checkpoint
  // (the embedded base model by default). One intra-op thread per lane: decode steps are many
  // small ops, and a second thread made them slower (docs/benchmarks.md); more cores are used by
  // more lanes (engine.lanes) and by the trainer.
  public static final EngineFactory ENGINE =
      config ->
          EngineLoader.load(
              config.engine().checkpoint(),
              config.engine().device(),
              new EngineSettings(
                  config.engine().maxBatch(),
                  config.engine().queueCapacity(),
                  1,
                  1,
                  config.engine().lanes()));

  // ======================================================================================

  private ServerMain() {}

  /**
   * Starts in-place SAIL training beside serving: the trainer verticle on its own worker thread,
   * publishing into the engine's registry.
   */
  private static void startTraining(
      Vertx vertx,
      ServerConfig config,
      InferenceEngine engine,
      GenerationService service,
      TrafficLog log)
      throws Exception {
    ServerConfig.Training t = config.training();
    TrainingPreset named = TrainingPreset.named(t.preset());
    TrainingPreset withBeta = t.beta() == null ? named : named.withBeta(t.beta());
    TrainingPreset preset = t.mixture() == null ? withBeta : withBeta.withMixture(t.mixture());
    TrainingLoop loop =
        TrainerFactory.create(
            engine,
            log,
            config.dataDir(),
            t.pairs(),
            t.rewardModel() && preset.rewardModel() ? t.rewardModelKind() : null,
            t.rewardLearnsOfflinePairs(),
            preset.ratingPairs(),
            TrainerSettings.forServer(
                preset,
                t.batchSize(),
                t.publishEvery(),
                t.checkpointEvery(),
                t.learningRate(),
                t.dialogueAnchor(),
                t.entropyFloor(),
                t.dprCandidates(),
                t.guardPrompts(),
                t.publishAverage()));
    TrainingMetrics trainingMetrics =
        new TrainingMetrics(service.metrics().registry(), engine::currentModelVersion);
    trainingMetrics.trackTime(loop.trainer()::timeSpent);
    loop.observe(trainingMetrics);
    vertx
        .deployVerticle(new TrainerVerticle(loop, t.cpuShare(), t.threads()))
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    service.trainingReady(loop);
    LOG.info("online SAIL training started (step {})", loop.status().step());
  }

  /**
   * Says loudly when the configuration exposes the server: no keys beyond loopback (allowed only
   * with insecure_no_auth), or keys sent in clear text beyond loopback.
   */
  private static void warnAboutExposure(ServerConfig config) {
    ServerConfig.Security security = config.security();
    String host = config.http().host();
    LOG.info("access control: {}", security.apiKeys().isEmpty() ? "off" : security.apiKeys());
    if (Loopback.isLoopbackAddress(host)) {
      return;
    }
    if (security.apiKeys().isEmpty()) {
      LOG.warn(
          "!!! INSECURE: listening on {} WITHOUT API KEYS (--insecure-no-auth): anyone who can"
              + " reach this port can generate, read status, and pause, roll back or checkpoint"
              + " training. Configure --api-keys FILE unless a proxy in front authenticates. !!!",
          host);
    } else if (security.tls() == null) {
      LOG.warn(
          "listening on {} without TLS: API keys cross the network in clear text; configure"
              + " --tls-cert and --tls-key, or terminate TLS in a proxy in front",
          host);
    }
  }

  /**
   * The evaluator of the Evaluate admin call: the version served now is its reference, the
   * trainer's kept versions (if training runs) can be evaluated too.
   */
  private static Evaluator evaluator(
      ServerConfig config, InferenceEngine engine, GenerationService service) {
    ModelRegistry registry = engine.registry();
    ModelVersions versions =
        new ModelVersions(
            registry,
            registry.acquire(),
            () -> service.training() == null ? null : service.training().trainer().versions());
    return new Evaluator(
        registry.model(),
        versions,
        Judges.annotator(config.evaluation().judge()),
        config.evaluation().judge(),
        PromptSets.loadHeldOut().stream().map(Prompt::prompt).toList(),
        Evaluator.Settings.defaults());
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServeCommand()).execute(args));
  }

  /** One of the DJL engine's counters; 0 before it is loaded or for other engines. */
  private static long engineStat(GenerationService service, ToLongFunction<EngineStats> counter) {
    return service.engine() instanceof InferenceEngine engine
        ? counter.applyAsLong(engine.stats())
        : 0;
  }

  /**
   * Starts a server and begins loading its engine. Returns once the port is bound; {@link
   * RunningServer#engineLoaded()} completes when the server is ready.
   */
  public static RunningServer start(ServerConfig config, EngineFactory engineFactory)
      throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx =
        Vertx.builder()
            .with(
                new VertxOptions()
                    .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
            .withMetrics(new MicrometerMetricsFactory(registry))
            .build();
    TrafficLog log = null;
    try {
      log = TrafficLog.open(config.dataDir());
      ServingMetrics metrics = new ServingMetrics(registry);
      GenerationService service =
          new GenerationService(log, new RequestValidator(config.limits()), metrics);
      metrics.gauges(
          () -> service.engine() == null ? 0 : service.engine().queuedRequests(),
          () -> service.engine() == null ? 0 : service.engine().activeSequences(),
          log::pending);
      metrics.engineTimings(
          new ServingMetrics.EngineTimings(
              () -> engineStat(service, stats -> stats.decodeSteps.get()),
              () -> engineStat(service, stats -> stats.decodeNanos.get()),
              () -> engineStat(service, stats -> stats.decodeRows.get()),
              () -> engineStat(service, stats -> stats.prefills.get()),
              () -> engineStat(service, stats -> stats.prefillNanos.get())));
      ApiServer api = new ApiServer(vertx, config, service, registry);
      int port = api.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      LOG.info(
          "listening on {}:{} (gRPC and HTTP{}), data in {}",
          config.http().host(),
          port,
          config.security().tls() == null ? "" : " over TLS",
          config.dataDir());
      warnAboutExposure(config);

      TrafficLog finalLog = log;
      CompletableFuture<TextGenerator> loaded = new CompletableFuture<>();
      Thread loader =
          new Thread(
              () -> {
                try {
                  TextGenerator engine = engineFactory.create(config);
                  service.engineReady(engine);
                  if (engine instanceof InferenceEngine inference) {
                    // before training starts: the reference is the version loaded from disk
                    service.evaluationReady(evaluator(config, inference, service));
                  }
                  if (config.train() && engine instanceof InferenceEngine inference) {
                    startTraining(vertx, config, inference, service, finalLog);
                  }
                  LOG.info("engine ready, model version {}", engine.currentModelVersion());
                  loaded.complete(engine);
                } catch (Throwable t) {
                  LOG.error("engine failed to load", t);
                  loaded.completeExceptionally(t);
                }
              },
              "engine-loader");
      loader.setDaemon(true);
      loader.start();
      return new RunningServer(config, vertx, log, service, api, port, loaded);
    } catch (Exception e) {
      if (log != null) {
        log.close();
      }
      vertx.close();
      throw e;
    }
  }
}
