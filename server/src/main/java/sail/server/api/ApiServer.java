package sail.server.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.reflection.ReflectionService;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import sail.server.config.ServerConfig;
import sail.v1.AdminServiceGrpcService;
import sail.v1.PolicyServiceGrpcService;

/**
 * One HTTP server, one port: requests whose content type starts with {@code application/grpc} go to
 * the {@link GrpcServer} (sail.v1 services, grpc.health.v1, reflection), everything else to a
 * vertx-web {@link Router} (OpenAI-style JSON, health, metrics). Handlers run on event loops and
 * never block. Access control ({@link AccessControl}: API keys, roles, rate limits) sees every
 * request of both kinds first; TLS, when configured, covers the whole port.
 */
public final class ApiServer {
  private final Vertx vertx;
  private final ServerConfig config;
  private final GenerationService service;
  private final PrometheusMeterRegistry prometheus;
  private HttpServer server;

  /**
   * @param prometheus registry scraped at {@code GET /metrics}; {@code null} disables the route
   */
  public ApiServer(
      Vertx vertx,
      ServerConfig config,
      GenerationService service,
      PrometheusMeterRegistry prometheus) {
    this.vertx = vertx;
    this.config = config;
    this.service = service;
    this.prometheus = prometheus;
  }

  /** Binds the port; completes with the actual port (useful with port 0). */
  public Future<Integer> start() {
    // gRPC: honour grpc-timeout, so a passed deadline ends the call and cancels its generation
    GrpcServer grpc =
        GrpcServer.server(vertx, new GrpcServerOptions().setScheduleDeadlineAutomatically(true));
    grpc.addService(new PolicyGrpcService(service));
    grpc.addService(new AdminGrpcService(service));
    HealthService health = HealthService.create(vertx);
    health.register("", () -> Future.succeededFuture(service.ready()));
    health.register(
        PolicyServiceGrpcService.SERVICE_NAME, () -> Future.succeededFuture(service.ready()));
    health.register(AdminServiceGrpcService.SERVICE_NAME, () -> Future.succeededFuture(true));
    grpc.addService(health);
    grpc.addService(ReflectionService.v1());

    // access control: API keys, roles and rate limits on both protocols; browser origins on HTTP
    ServerConfig.Security security = config.security();
    AccessControl access = new AccessControl(security, service.metrics());

    // HTTP: JSON API, probes, metrics
    Router router = Router.router(vertx);
    router.route().handler(new CrossOriginPolicy(security.corsOrigins(), service.metrics()));
    router.route().handler(access::handleHttp);
    router
        .route("/v1/*")
        .handler(BodyHandler.create(false).setBodyLimit(config.limits().maxBodyBytes()));
    new OpenAiRoutes(service).mount(router);
    new AdminRoutes(service).mount(router);
    router
        .get("/health/live")
        .handler(ctx -> json(ctx, 200, new JsonObject().put("status", "live")));
    router.get("/health/ready").handler(this::ready);
    if (prometheus != null) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(prometheus));
    }
    // browser pages and the dashboard's history; last, as its static handler takes any GET path
    new WebRoutes(vertx, service).mount(router);
    router.errorHandler(
        413,
        ctx ->
            json(
                ctx,
                413,
                new JsonObject()
                    .put(
                        "error",
                        new JsonObject()
                            .put(
                                "message",
                                "body: larger than " + config.limits().maxBodyBytes() + " bytes")
                            .put("type", "request_too_large")
                            .put("param", "body")
                            .put("code", 413))));

    // abandoned and idle connections are closed; see ServerConfig.Http
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.http().host())
            .setPort(config.http().port())
            .setIdleTimeout((int) config.http().idleTimeout().toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    if (security.tls() != null) {
      // ALPN offers h2 (gRPC) and http/1.1 (browsers, curl) on the same TLS port
      options
          .setSsl(true)
          .setUseAlpn(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(security.tls().certificate().toString())
                  .setKeyPath(security.tls().privateKey().toString()));
    }
    // Vert.x has no connection limit: count them, and close those beyond the limit at once
    int maxConnections = config.http().maxConnections();
    AtomicInteger open = new AtomicInteger();
    server =
        vertx
            .createHttpServer(options)
            .connectionHandler(
                connection -> {
                  connection.closeHandler(closed -> open.decrementAndGet());
                  if (open.incrementAndGet() > maxConnections) {
                    service.metrics().rejected("too_many_connections");
                    connection.close();
                  }
                })
            .requestHandler(
                request -> {
                  if (isGrpc(request)) {
                    if (access.admitGrpc(request)) {
                      grpc.handle(request);
                    }
                  } else {
                    router.handle(request);
                  }
                });
    return server.listen().map(HttpServer::actualPort);
  }

  /**
   * gRPC's content types (PROTOCOL-HTTP2.md, PROTOCOL-WEB.md): {@code application/grpc}, {@code
   * application/grpc-web} or {@code application/grpc-web-text}, each optionally followed by {@code
   * +format} or parameters. Anything else, {@code application/grpcx} included, is HTTP.
   */
  private static final Pattern GRPC_CONTENT_TYPE =
      Pattern.compile("application/grpc(-web(-text)?)?([+;].*)?", Pattern.CASE_INSENSITIVE);

  static boolean isGrpc(String contentType) {
    return contentType != null && GRPC_CONTENT_TYPE.matcher(contentType.strip()).matches();
  }

  private static boolean isGrpc(HttpServerRequest request) {
    return isGrpc(request.getHeader("content-type"));
  }

  private void ready(RoutingContext ctx) {
    GenerationService.Status s = service.status();
    JsonObject body = new JsonObject().put("status", s.ready() ? "ready" : "not_ready");
    if (service.engine() != null) {
      body.put("model_version", s.modelVersion());
    }
    json(ctx, s.ready() ? 200 : 503, body);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  public int port() {
    return server.actualPort();
  }

  /**
   * Stops accepting connections and lets open ones finish their requests for up to {@code timeout}
   * before closing them.
   */
  public Future<Void> shutdown(Duration timeout) {
    return server == null
        ? Future.succeededFuture()
        : server.shutdown(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
