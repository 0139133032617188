package sail.loadtest.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import sail.client.ClientSecurity;
import sail.client.SailClient;
import sail.v1.GenerateRequest;

/**
 * Measures how fast a cancelled stream's batch slot goes to a queued request.
 *
 * <p>One trial: open long streams until the server reports one of them queued (the batch is full),
 * cancel a running stream, and time from the cancel to the queued stream's first chunk. A trial is
 * clean when no other stream ended on its own in that interval (a natural finish would also free a
 * slot). Streams are long ({@code max_tokens} up to the context), and the queued stream of one
 * trial is a running stream of the next.
 */
final class SlotReuseProbe {
  private static final long WAIT_NANOS = 20_000_000_000L;

  private final SailClient admin;
  private final GrpcClient grpc;
  private final SocketAddress server;
  private final String authorization;
  private final GenerateRequest longStream;
  private final List<ProbeStream> running = new ArrayList<>();

  SlotReuseProbe(
      Vertx vertx,
      SailClient admin,
      SocketAddress server,
      ClientSecurity security,
      GenerateRequest longStream) {
    this.admin = admin;
    this.grpc =
        security.tls()
            ? GrpcClient.client(vertx, security.httpOptions())
            : GrpcClient.client(vertx);
    this.server = server;
    this.authorization = security.authorization();
    this.longStream = longStream;
  }

  /** One measurement: cancel to the queued request's first chunk. */
  record Trial(double reuseMillis, boolean clean, int batch) {}

  /** Runs up to {@code wanted} clean trials (at most {@code 3 * wanted} attempts). */
  List<Trial> run(int wanted) throws InterruptedException {
    List<Trial> trials = new ArrayList<>();
    try {
      int attempts = 0;
      while (trials.stream().filter(Trial::clean).count() < wanted && attempts < 3 * wanted) {
        ProbeStream queued = fillBatch();
        running.removeIf(ProbeStream::ended);
        if (queued.started() || running.isEmpty()) {
          running.add(queued); // a slot opened on its own before we could cancel
          continue;
        }
        attempts++;
        // the newest running stream has the most tokens left, so it is not about to finish
        ProbeStream victim = running.remove(running.size() - 1);
        int batch = running.size() + 1;
        long cancelAt = System.nanoTime();
        victim.cancel();
        if (!await(queued::started)) {
          throw new IllegalStateException(
              "the queued stream did not start within 20 s after a cancel");
        }
        long startedAt = queued.firstChunkNanos();
        boolean clean = startedAt > cancelAt;
        for (ProbeStream other : running) {
          if (other.ended() && other.endNanos() <= startedAt) {
            clean = false;
          }
        }
        trials.add(new Trial((startedAt - cancelAt) / 1e6, clean, batch));
        running.add(queued);
      }
      return trials;
    } finally {
      running.forEach(ProbeStream::cancel);
      grpc.close();
    }
  }

  /** Client-observed gaps between chunks of the streams still running, in milliseconds. */
  List<Double> chunkGapsMillis() {
    List<Double> gaps = new ArrayList<>();
    for (ProbeStream s : running) {
      s.gaps().forEach(g -> gaps.add(g / 1e6));
    }
    return gaps;
  }

  /** Opens streams until one is queued by the server; returns that one. */
  private ProbeStream fillBatch() throws InterruptedException {
    while (true) {
      running.removeIf(ProbeStream::ended);
      if (running.size() > 256) {
        throw new IllegalStateException("256 streams running and none queued: batch too large");
      }
      ProbeStream next = ProbeStream.open(grpc, server, authorization, longStream, 120);
      // Queued, not merely waiting for the step in progress to end: the server reports a waiting
      // request while the running streams have moved on by a few decode steps without it.
      int[] chunksAtOpen = running.stream().mapToInt(ProbeStream::chunks).toArray();
      boolean settled =
          await(
              () -> {
                if (next.started() || next.ended()) {
                  return true;
                }
                return stepsSince(chunksAtOpen) >= 3 && admin.status().await().getQueued() > 0;
              });
      if (!settled) {
        throw new IllegalStateException("a stream neither started nor queued within 20 s");
      }
      if (next.ended() && !next.started()) {
        throw new IllegalStateException("a probe stream failed before its first chunk");
      }
      if (!next.started()) {
        return next;
      }
      running.add(next);
    }
  }

  /** The most chunks any still-running stream received since the counts in {@code before}. */
  private int stepsSince(int[] before) {
    int most = 0;
    for (int i = 0; i < before.length; i++) {
      ProbeStream s = running.get(i);
      if (!s.ended()) {
        most = Math.max(most, s.chunks() - before[i]);
      }
    }
    return most;
  }

  private static boolean await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(1);
    }
    return condition.getAsBoolean();
  }

  /** Median of {@code values}, or NaN when empty. */
  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }

  static JsonArray toJson(List<Trial> trials) {
    JsonArray out = new JsonArray();
    for (Trial t : trials) {
      out.add(
          new JsonObject()
              .put("reuse_ms", t.reuseMillis())
              .put("clean", t.clean())
              .put("batch", t.batch()));
    }
    return out;
  }
}
