package sail.server.api;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.metrics.ServingMetrics;

/** The one place where errors become gRPC statuses. */
final class GrpcErrors {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  /**
   * Ends {@code response} with the status for {@code error}. Overload also sets a {@code
   * retry-after} trailer (seconds). Does nothing if the response is already over (client gone).
   */
  static void fail(GrpcServerResponse<?, ?> response, Throwable error, ServingMetrics metrics) {
    ApiException api = ApiException.from(error);
    GrpcStatus status;
    String message;
    if (api == null) {
      LOG.error("internal error", error);
      status = GrpcStatus.INTERNAL;
      message = "internal error: " + error;
    } else {
      status = status(api);
      message = api.getMessage();
      metrics.rejected(reason(api));
      if (api.retryAfterSeconds() > 0) {
        response.trailers().set("retry-after", Integer.toString(api.retryAfterSeconds()));
      }
    }
    try {
      response.status(status).statusMessage(message).end();
    } catch (IllegalStateException alreadyOver) {
      // cancelled or past its deadline: nobody is listening
    }
  }

  /**
   * Answers a gRPC call that never reaches the {@code GrpcServer} (refused by access control) with
   * a trailers-only response: HTTP 200 whose headers carry {@code grpc-status} and {@code
   * grpc-message}, as the gRPC over HTTP/2 spec allows for a call that fails before any message.
   */
  static void refuse(HttpServerRequest request, ApiException api, ServingMetrics metrics) {
    metrics.rejected(reason(api));
    var response =
        request
            .response()
            .setStatusCode(200)
            .putHeader("content-type", request.getHeader("content-type"))
            .putHeader("grpc-status", Integer.toString(status(api).code))
            .putHeader("grpc-message", percentEncode(api.getMessage()));
    if (api.retryAfterSeconds() > 0) {
      response.putHeader("retry-after", Integer.toString(api.retryAfterSeconds()));
    }
    response.end();
  }

  /** grpc-message encoding: UTF-8, with bytes outside printable ASCII and '%' as %XX. */
  static String percentEncode(String message) {
    StringBuilder out = new StringBuilder();
    for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
      if (b >= 0x20 && b <= 0x7e && b != '%') {
        out.append((char) b);
      } else {
        out.append(String.format("%%%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  static GrpcStatus status(ApiException api) {
    if (api instanceof ApiException.InvalidArgument) {
      return GrpcStatus.INVALID_ARGUMENT;
    } else if (api instanceof ApiException.NotFound) {
      return GrpcStatus.NOT_FOUND;
    } else if (api instanceof ApiException.Overloaded || api instanceof ApiException.RateLimited) {
      return GrpcStatus.RESOURCE_EXHAUSTED;
    } else if (api instanceof ApiException.Unauthenticated) {
      return GrpcStatus.UNAUTHENTICATED;
    } else if (api instanceof ApiException.PermissionDenied) {
      return GrpcStatus.PERMISSION_DENIED;
    } else {
      return GrpcStatus.UNAVAILABLE;
    }
  }

  static String reason(ApiException api) {
    if (api instanceof ApiException.InvalidArgument) {
      return "invalid";
    } else if (api instanceof ApiException.NotFound) {
      return "not_found";
    } else if (api instanceof ApiException.Overloaded) {
      return "overloaded";
    } else if (api instanceof ApiException.RateLimited) {
      return "rate_limited";
    } else if (api instanceof ApiException.Unauthenticated) {
      return "unauthenticated";
    } else if (api instanceof ApiException.PermissionDenied) {
      return "permission_denied";
    } else {
      return "unavailable";
    }
  }
}
