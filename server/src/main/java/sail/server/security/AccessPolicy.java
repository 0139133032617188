package sail.server.security;

import java.util.Optional;
import java.util.Set;

/**
 * Which role each gRPC method and HTTP route needs when API keys are configured; an empty result
 * means open to anyone. Unknown gRPC services and unknown {@code /v1} routes need {@code admin}, so
 * a method added later is closed until someone decides it is safe for users.
 */
public final class AccessPolicy {
  private static final Set<String> USER_GRPC_SERVICES =
      Set.of("sail.v1.PolicyService", "grpc.reflection.v1.ServerReflection");
  private static final Set<String> OPEN_GRPC_SERVICES = Set.of("grpc.health.v1.Health");

  private static final Set<String> USER_HTTP_ROUTES =
      Set.of(
          "/v1/completions",
          "/v1/chat/completions",
          "/v1/feedback",
          "/v1/preference",
          "/v1/models");

  private AccessPolicy() {}

  /**
   * @param path the gRPC request path, {@code /package.Service/Method}
   */
  public static Optional<Role> grpc(String path) {
    String service = grpcService(path);
    if (OPEN_GRPC_SERVICES.contains(service)) {
      return Optional.empty();
    }
    return Optional.of(USER_GRPC_SERVICES.contains(service) ? Role.USER : Role.ADMIN);
  }

  /**
   * The service of a {@code /service/method} path; anything else (more slashes, dot segments) gives
   * an empty name, which the policy treats as unknown, i.e. admin only.
   */
  private static String grpcService(String path) {
    int slash = path.indexOf('/', 1);
    boolean wellFormed =
        path.startsWith("/")
            && slash > 1
            && slash < path.length() - 1
            && path.indexOf('/', slash + 1) < 0;
    return wellFormed ? path.substring(1, slash) : "";
  }

  /**
   * Health probes are open so orchestrators need no secret; metrics need admin because they
   * describe traffic and training; the generation and feedback routes need user; every other {@code
   * /v1} route (admin, training, evaluation) needs admin. Outside {@code /v1} a {@code GET} or
   * {@code HEAD} is open (the web page and its assets, which hold no data) and any other method
   * needs admin, so nothing that changes state is open by accident.
   *
   * @param method the HTTP method name, e.g. {@code GET}
   * @param rawPath the normalized request path without query
   */
  public static Optional<Role> http(String method, String rawPath) {
    // the router serves /metrics at /metrics/ too, so the policy must read them alike
    String path = rawPath;
    while (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.startsWith("/health/")) {
      return Optional.empty();
    } else if (path.equals("/metrics")) {
      return Optional.of(Role.ADMIN);
    } else if (path.startsWith("/v1/") || path.equals("/v1")) {
      return Optional.of(USER_HTTP_ROUTES.contains(path) ? Role.USER : Role.ADMIN);
    } else if (method.equals("GET") || method.equals("HEAD")) {
      return Optional.empty();
    }
    return Optional.of(Role.ADMIN);
  }
}
