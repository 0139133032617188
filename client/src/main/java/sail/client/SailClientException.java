package sail.client;

import io.vertx.grpc.common.GrpcStatus;

/** The server answered a call with a non-OK status; the message is the server's explanation. */
public final class SailClientException extends RuntimeException {
  private final GrpcStatus status;

  public SailClientException(GrpcStatus status, String message) {
    super(status.name() + (message == null || message.isEmpty() ? "" : ": " + message));
    this.status = status;
  }

  public GrpcStatus status() {
    return status;
  }
}
