package sail.server;

import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.api.ApiServer;
import sail.server.api.GenerationService;
import sail.server.config.ServerConfig;
import sail.server.data.TrafficLog;
import sail.server.inference.TextGenerator;

/** A started server; {@link #close()} stops it gracefully (also from a SIGTERM hook). */
public final class RunningServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunningServer.class);

  private final ServerConfig config;
  private final Vertx vertx;
  private final TrafficLog log;
  private final GenerationService service;
  private final ApiServer api;
  private final int port;
  private final CompletableFuture<TextGenerator> engineLoaded;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private boolean closing;

  RunningServer(
      ServerConfig config,
      Vertx vertx,
      TrafficLog log,
      GenerationService service,
      ApiServer api,
      int port,
      CompletableFuture<TextGenerator> engineLoaded) {
    this.config = config;
    this.vertx = vertx;
    this.log = log;
    this.service = service;
    this.api = api;
    this.port = port;
    this.engineLoaded = engineLoaded;
  }

  public int port() {
    return port;
  }

  /** Completes when the engine is published and the server is ready. */
  public CompletableFuture<TextGenerator> engineLoaded() {
    return engineLoaded;
  }

  public TrafficLog trafficLog() {
    return log;
  }

  public GenerationService service() {
    return service;
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /**
   * Graceful stop: refuse new requests (readiness 503, generation UNAVAILABLE), stop accepting
   * connections, wait up to the drain timeout for in-flight requests, then close Vert.x (the
   * trainer finishes its step), the engine and the traffic log (everything queued is committed).
   * Blocks; idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    try {
      service.stopAccepting();
      var shutdown = api.shutdown(config.drainTimeout());
      if (!service.awaitDrained(config.drainTimeout())) {
        LOG.warn("{} requests still running after the drain timeout", service.inFlight());
      }
      shutdown
          .toCompletionStage()
          .toCompletableFuture()
          .get(config.drainTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("graceful shutdown incomplete: {}", e.toString());
    }
    if (service.evaluator() != null) {
      service.evaluator().close();
    }
    // Vert.x first: undeploying the trainer waits for a running step, which uses the engine's model
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("closing Vert.x: {}", e.toString());
    }
    TextGenerator engine = engineLoaded.getNow(null);
    if (engine instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("closing engine", e);
      }
    }
    log.close();
    stopped.countDown();
    LOG.info("stopped");
  }
}
