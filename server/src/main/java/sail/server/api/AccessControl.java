package sail.server.api;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import sail.server.config.ServerConfig;
import sail.server.metrics.ServingMetrics;
import sail.server.security.AccessGuard;
import sail.server.security.AccessPolicy;
import sail.server.security.Loopback;
import sail.server.security.RateLimiter;
import sail.server.security.Role;
import sail.server.security.Verdict;

/**
 * Applies the {@link AccessGuard} at both edges of the one port: gRPC calls are checked before the
 * {@code GrpcServer} sees them (it has no interceptors), HTTP requests by a router handler placed
 * before every route. Both read the same {@code authorization} header, which is how gRPC metadata
 * travels.
 *
 * <p>Without API keys the server's only protection is listening on loopback, yet a web page on
 * another site can still reach it by DNS rebinding: its own name, re-resolved to 127.0.0.1, makes
 * the browser treat requests as same-origin. So in that mode a request whose {@code Host} (or
 * {@code :authority}) is not a loopback name is refused, unless its target is open (health).
 */
final class AccessControl {
  private final AccessGuard guard;
  private final boolean loopbackHostOnly;
  private final ServingMetrics metrics;

  AccessControl(ServerConfig.Security security, ServingMetrics metrics) {
    ServerConfig.RateLimit limit = security.rateLimit();
    this.guard =
        new AccessGuard(
            security.apiKeys(),
            limit == null
                ? null
                : new RateLimiter(limit.perSecond(), limit.burst(), System::nanoTime));
    this.loopbackHostOnly = security.apiKeys().isEmpty() && !security.insecureNoAuth();
    this.metrics = metrics;
  }

  /**
   * Checks a gRPC call; a refused one is answered here.
   *
   * @return whether the call may go on to the gRPC server
   */
  boolean admitGrpc(HttpServerRequest request) {
    String method = request.path();
    ApiException refusal = refusal(request, AccessPolicy.grpc(method), method);
    if (refusal != null) {
      GrpcErrors.refuse(request, refusal, metrics);
    }
    return refusal == null;
  }

  /** Router handler: passes an allowed request on, answers a refused one. */
  void handleHttp(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String method = request.method().name();
    String path = ctx.normalizedPath();
    ApiException refusal = refusal(request, AccessPolicy.http(method, path), method + " " + path);
    if (refusal == null) {
      ctx.next();
    } else {
      HttpErrors.send(ctx, refusal, metrics);
    }
  }

  private static String address(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    return remote == null ? "unknown" : remote.hostAddress();
  }

  /** The error to answer with, or {@code null} when the request may proceed. */
  private ApiException refusal(HttpServerRequest request, Optional<Role> required, String target) {
    HostAndPort authority = request.authority();
    if (loopbackHostOnly
        && required.isPresent()
        && authority != null
        && !Loopback.isLoopbackName(authority.host())) {
      return new ApiException.PermissionDenied(
          "Host "
              + authority.host()
              + " is not a loopback name; a server without API keys answers only requests"
              + " addressed to localhost or 127.0.0.1");
    }
    Verdict verdict =
        guard.check(required, target, request.getHeader("authorization"), address(request));
    if (verdict instanceof Verdict.Unauthenticated u) {
      return new ApiException.Unauthenticated(u.message());
    } else if (verdict instanceof Verdict.Forbidden f) {
      return new ApiException.PermissionDenied(f.message());
    } else if (verdict instanceof Verdict.RateLimited r) {
      return new ApiException.RateLimited(r.message(), r.retryAfterSeconds());
    }
    return null;
  }
}
