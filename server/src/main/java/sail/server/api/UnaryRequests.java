package sail.server.api;

import io.vertx.core.Handler;
import io.vertx.grpc.server.GrpcServerRequest;
import sail.server.metrics.ServingMetrics;

/**
 * Reads the one request message of a call whose client sends a single message (all of ours).
 *
 * <p>Why not {@code request.handler} alone: Vert.x 5.0.7 drops the bytes of a message that the
 * client's end of stream cut short (a length prefix that promises more than was sent, a frame cut
 * in half) and then only signals the end of the stream. A handler that waits for a message would
 * never answer, and the call would hold its HTTP/2 stream until the connection's idle timeout. The
 * gRPC protocol (PROTOCOL-HTTP2.md) expects an error status instead; this answers {@code
 * INVALID_ARGUMENT} naming the problem. Messages after the first are ignored: a unary call has one.
 */
final class UnaryRequests {
  private UnaryRequests() {}

  static <Req> void onMessage(
      GrpcServerRequest<Req, ?> request, ServingMetrics metrics, Handler<Req> handler) {
    boolean[] received = {false};
    request.handler(
        message -> {
          if (!received[0]) {
            received[0] = true;
            handler.handle(message);
          }
        });
    request.endHandler(
        end -> {
          if (!received[0]) {
            GrpcErrors.fail(
                request.response(),
                new ApiException.InvalidArgument(
                    "request",
                    "the call ended without a complete request message (a gRPC frame is a"
                        + " 1-byte flag, a 4-byte length and that many bytes of protobuf)"),
                metrics);
          }
        });
  }
}
