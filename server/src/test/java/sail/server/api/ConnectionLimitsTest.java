package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.RunningServer;
import sail.server.testing.EchoGenerator;
import sail.server.testing.LocalHttp;
import sail.server.testing.TestServer;

/**
 * Idle and surplus connections are bounded ({@code http.idle_timeout_ms}, {@code
 * http.max_connections}): many idle clients cannot hold the server's sockets, and it still serves.
 */
class ConnectionLimitsTest {
  static final int IDLE_TIMEOUT_MS = 500;
  static final int MAX_CONNECTIONS = 4;

  @TempDir static Path dir;
  static EchoGenerator engine;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    engine = new EchoGenerator(8, 32, 1);
    server =
        TestServer.start(
            dir,
            engine,
            Map.of(
                "http.idle_timeout_ms", Integer.toString(IDLE_TIMEOUT_MS),
                "http.max_connections", Integer.toString(MAX_CONNECTIONS)));
  }

  @AfterAll
  static void stop() {
    server.close();
    engine.close();
  }

  /** A keep-alive connection that has had one request answered. */
  static Socket connectedClient() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
    socket.setSoTimeout(10_000);
    socket
        .getOutputStream()
        .write(
            "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
    return socket;
  }

  /** Reads the status line of the answer, or -1 if the server closed the connection instead. */
  static int statusOrClosed(Socket socket) throws IOException {
    try {
      InputStream in = socket.getInputStream();
      byte[] head = in.readNBytes(12);
      if (head.length < 12) {
        return -1;
      }
      String line = new String(head, StandardCharsets.US_ASCII);
      // skip the rest of the small response so that only the connection's fate is left to read
      in.readNBytes(in.available());
      return Integer.parseInt(line.substring(9, 12));
    } catch (SocketException reset) {
      return -1;
    }
  }

  /** Blocks until the server closes {@code socket}; fails if it stays open for 10 s. */
  static void awaitClosedByServer(Socket socket) throws IOException {
    try {
      int read;
      do {
        read = socket.getInputStream().read();
      } while (read != -1);
    } catch (SocketException reset) {
      // closed with a reset: also closed
    } catch (SocketTimeoutException e) {
      throw new AssertionError("an idle connection is still open after 10 s", e);
    }
  }

  @Test
  void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        Socket socket = connectedClient();
        assertEquals(200, statusOrClosed(socket));
        idle.add(socket);
      }
      // a client that connects and never says anything is cut off too
      Socket silent = new Socket(InetAddress.getLoopbackAddress(), server.port());
      silent.setSoTimeout(10_000);
      idle.add(silent);

      long started = System.nanoTime();
      for (Socket socket : idle) {
        awaitClosedByServer(socket);
      }
      long waitedMs = (System.nanoTime() - started) / 1_000_000;
      assertTrue(waitedMs >= IDLE_TIMEOUT_MS / 2, "closed after " + waitedMs + " ms, not idle");
    } finally {
      for (Socket socket : idle) {
        socket.close();
      }
    }
    assertEquals(200, new LocalHttp(server.port()).get("/health/live").statusCode());
  }

  /** Open HTTP connections as Vert.x's own meter counts them (in process: no connection needed). */
  static double openConnections() {
    return server
        .service()
        .metrics()
        .registry()
        .find("vertx.http.server.active.connections")
        .gauges()
        .stream()
        .mapToDouble(io.micrometer.core.instrument.Gauge::value)
        .sum();
  }

  @Test
  void connectionsBeyondTheLimitAreClosedAndTheServerStillServes() throws Exception {
    // start from none: connections of other tests close a moment after their clients let go
    long settle = System.nanoTime() + 10_000_000_000L;
    while (openConnections() > 0 && System.nanoTime() < settle) {
      Thread.sleep(20);
    }
    assertEquals(0, openConnections());
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        Socket socket = connectedClient();
        assertEquals(200, statusOrClosed(socket));
        open.add(socket);
      }
      try (Socket surplus = connectedClient()) {
        assertEquals(-1, statusOrClosed(surplus), "a connection beyond the limit is refused");
      }
    } finally {
      for (Socket socket : open) {
        socket.close();
      }
    }
    // closed connections free their places (the close reaches the server a moment later)
    long deadline = System.nanoTime() + 10_000_000_000L;
    int status;
    do {
      try (Socket again = connectedClient()) {
        status = statusOrClosed(again);
      }
    } while (status != 200 && System.nanoTime() < deadline);
    assertEquals(200, status);
  }
}
