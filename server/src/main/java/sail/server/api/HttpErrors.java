package sail.server.api;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.metrics.ServingMetrics;

/**
 * The one place where errors become HTTP responses, in the OpenAI error shape: {@code {"error":
 * {"message", "type", "param", "code"}}}.
 */
final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

  private HttpErrors() {}

  static void send(RoutingContext ctx, Throwable error, ServingMetrics metrics) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    ApiException api = ApiException.from(error);
    if (api != null) {
      metrics.rejected(GrpcErrors.reason(api));
    } else {
      LOG.error("internal error on {} {}", ctx.request().method(), ctx.request().path(), error);
    }
    int status = status(api);
    if (api != null && api.retryAfterSeconds() > 0) {
      response.putHeader("Retry-After", Integer.toString(api.retryAfterSeconds()));
    }
    if (api instanceof ApiException.Unauthenticated) {
      // RFC 6750 section 3: a 401 names the scheme the client should use
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    if (response.headWritten()) {
      // a stream already started: report in-band, then end it
      response.end("data: " + body(api, error, status).encode() + "\n\n");
      return;
    }
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body(api, error, status).encode());
  }

  static int status(ApiException api) {
    if (api instanceof ApiException.InvalidArgument) {
      return 400;
    } else if (api instanceof ApiException.NotFound) {
      return 404;
    } else if (api instanceof ApiException.Overloaded || api instanceof ApiException.RateLimited) {
      return 429;
    } else if (api instanceof ApiException.Unauthenticated) {
      return 401;
    } else if (api instanceof ApiException.PermissionDenied) {
      return 403;
    } else if (api instanceof ApiException.Unavailable) {
      return 503;
    }
    return 500;
  }

  private static JsonObject body(ApiException api, Throwable error, int status) {
    JsonObject e =
        new JsonObject()
            .put("message", api != null ? api.getMessage() : "internal error: " + error)
            .put("type", type(status))
            .put("code", status);
    if (api instanceof ApiException.InvalidArgument invalid) {
      e.put("param", invalid.field());
    }
    return new JsonObject().put("error", e);
  }

  private static String type(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503 -> "unavailable_error";
      default -> "server_error";
    };
  }
}
