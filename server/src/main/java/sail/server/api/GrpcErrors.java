package sail.server.api;

import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServerResponse;
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
      if (api instanceof ApiException.Overloaded overloaded) {
        response.trailers().set("retry-after", Integer.toString(overloaded.retryAfterSeconds()));
      }
    }
    try {
      response.status(status).statusMessage(message).end();
    } catch (IllegalStateException alreadyOver) {
      // cancelled or past its deadline: nobody is listening
    }
  }

  static GrpcStatus status(ApiException api) {
    if (api instanceof ApiException.InvalidArgument) {
      return GrpcStatus.INVALID_ARGUMENT;
    } else if (api instanceof ApiException.NotFound) {
      return GrpcStatus.NOT_FOUND;
    } else if (api instanceof ApiException.Overloaded) {
      return GrpcStatus.RESOURCE_EXHAUSTED;
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
    } else {
      return "unavailable";
    }
  }
}
