package sail.loadtest.bench;

import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import sail.v1.GenerateChunk;
import sail.v1.GenerateRequest;
import sail.v1.PolicyServiceGrpcClient;

/**
 * A {@code GenerateStream} call the benchmark can cancel, with the arrival time of every chunk.
 * Timestamps are taken on the client's event loop as chunks arrive; the benchmark thread reads
 * them.
 */
final class ProbeStream {
  private final GrpcClientRequest<GenerateRequest, GenerateChunk> request;
  private final List<Long> chunkNanos = new ArrayList<>();
  private volatile long firstChunkNanos = -1;
  private volatile long endNanos = -1;

  private ProbeStream(GrpcClientRequest<GenerateRequest, GenerateChunk> request) {
    this.request = request;
  }

  /** Opens the call and sends {@code message}; blocks only until the HTTP/2 stream exists. */
  static ProbeStream open(
      GrpcClient grpc,
      SocketAddress server,
      String authorization,
      GenerateRequest message,
      long timeoutSeconds) {
    GrpcClientRequest<GenerateRequest, GenerateChunk> request =
        grpc.request(server, PolicyServiceGrpcClient.GenerateStream).await();
    request.timeout(timeoutSeconds, TimeUnit.SECONDS);
    if (authorization != null) {
      request.headers().set("authorization", authorization);
    }
    ProbeStream stream = new ProbeStream(request);
    request
        .response()
        .onSuccess(
            (GrpcClientResponse<GenerateRequest, GenerateChunk> response) -> {
              response.handler(chunk -> stream.onChunk());
              response.end().onComplete(ar -> stream.onEnd());
            })
        .onFailure(error -> stream.onEnd());
    request.end(message);
    return stream;
  }

  private void onChunk() {
    long now = System.nanoTime();
    synchronized (chunkNanos) {
      chunkNanos.add(now);
    }
    if (firstChunkNanos < 0) {
      firstChunkNanos = now;
    }
  }

  private void onEnd() {
    if (endNanos < 0) {
      endNanos = System.nanoTime();
    }
  }

  /** Whether the server has started generating (the first chunk arrived). */
  boolean started() {
    return firstChunkNanos >= 0;
  }

  long firstChunkNanos() {
    return firstChunkNanos;
  }

  boolean ended() {
    return endNanos >= 0;
  }

  long endNanos() {
    return endNanos;
  }

  void cancel() {
    if (!ended()) {
      request.cancel();
    }
  }

  /** Chunks received so far. */
  int chunks() {
    synchronized (chunkNanos) {
      return chunkNanos.size();
    }
  }

  /** Gaps between consecutive chunks, in nanoseconds. */
  List<Long> gaps() {
    List<Long> gaps = new ArrayList<>();
    synchronized (chunkNanos) {
      for (int i = 1; i < chunkNanos.size(); i++) {
        gaps.add(chunkNanos.get(i) - chunkNanos.get(i - 1));
      }
    }
    return gaps;
  }
}
