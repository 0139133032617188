package sail.server.api;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.net.URI;
import java.util.List;
import java.util.Set;
import sail.server.metrics.ServingMetrics;

/**
 * Which web pages may call the HTTP API from a browser. A request without {@code Origin} (curl,
 * SDKs, probes) or from the server's own origin (its web page) passes; an origin listed in {@code
 * security.cors_origins} gets CORS headers and preflight answers from vertx-web's {@link
 * CorsHandler}; any other origin is refused with 403 before it can change anything, since a browser
 * sends a "simple" cross-site POST without asking first. (Pages that reach a keyless loopback
 * server through DNS rebinding look same-origin; {@link AccessControl} refuses those by their
 * {@code Host}.)
 */
final class CrossOriginPolicy implements Handler<RoutingContext> {
  private final Set<String> allowed;
  private final CorsHandler cors;
  private final ServingMetrics metrics;

  /**
   * @param origins cross-origin pages allowed to call, e.g. {@code https://app.example.com}
   */
  CrossOriginPolicy(List<String> origins, ServingMetrics metrics) {
    this.allowed = Set.copyOf(origins);
    this.cors =
        origins.isEmpty()
            ? null
            : CorsHandler.create()
                .addOrigins(origins)
                .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS))
                .allowedHeaders(Set.of("authorization", "content-type"))
                .exposedHeaders(Set.of("retry-after"));
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader("Origin");
    if (origin == null || isSameOrigin(request, origin)) {
      ctx.next();
    } else if (allowed.contains(origin)) {
      cors.handle(ctx);
    } else {
      HttpErrors.send(
          ctx,
          new ApiException.PermissionDenied(
              "pages from origin "
                  + origin
                  + " may not call this server; add it to security.cors_origins (--cors-origin)"),
          metrics);
    }
  }

  private static boolean isSameOrigin(HttpServerRequest request, String origin) {
    HostAndPort authority = request.authority();
    if (authority == null) {
      return false;
    }
    try {
      URI uri = URI.create(origin);
      String scheme = request.isSSL() ? "https" : "http";
      return scheme.equals(uri.getScheme())
          && authority.host().equalsIgnoreCase(uri.getHost())
          && port(scheme, authority.port()) == port(scheme, uri.getPort());
    } catch (IllegalArgumentException e) {
      return false; // "null" and other opaque origins are never our own
    }
  }

  private static int port(String scheme, int port) {
    return port >= 0 ? port : "https".equals(scheme) ? 443 : 80;
  }
}
