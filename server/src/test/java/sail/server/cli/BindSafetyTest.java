package sail.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import sail.server.RunningServer;
import sail.server.ServerMain;
import sail.server.config.ConfigLoader;
import sail.server.testing.EchoGenerator;
import sail.server.testing.RawHttp;
import sail.server.testing.TeeStream;
import sail.server.testing.TestServer;
import sail.v1.GetModelInfoRequest;
import sail.v1.PolicyServiceGrpc;

/**
 * Without keys the server stays on loopback: {@code sail serve --host 0.0.0.0} refuses to start
 * unless told {@code --insecure-no-auth}, which then warns loudly; and a loopback server refuses
 * requests addressed to other host names (DNS rebinding).
 */
class BindSafetyTest {
  @TempDir Path dir;

  /** Runs {@code body} with System.err captured (and still shown); returns what it printed. */
  static String capturingStderr(ThrowingRunnable body) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new TeeStream(captured, original), true));
    try {
      body.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void serveRefusesANetworkAddressWithoutKeys() throws Exception {
    int[] exit = new int[1];
    String err =
        capturingStderr(
            () ->
                exit[0] =
                    new CommandLine(new ServeCommand(config -> new EchoGenerator(1, 1, 1)))
                        .execute("--host", "0.0.0.0", "--port", "0", "--data-dir", dir.toString()));
    assertEquals(2, exit[0]);
    assertTrue(err.contains("sail serve: flags: http.host is 0.0.0.0"), err);
    assertTrue(err.contains("--insecure-no-auth"), err);
  }

  @Test
  void insecureOverrideStartsAndWarnsLoudly() throws Exception {
    ServeCommand command = new ServeCommand();
    new CommandLine(command)
        .parseArgs(
            "--host", "0.0.0.0", "--port", "0", "--insecure-no-auth", "--data-dir", dir.toString());
    EchoGenerator engine = new EchoGenerator(1, 1, 1);
    String err =
        capturingStderr(
            () -> {
              try (RunningServer server =
                  ServerMain.start(
                      ConfigLoader.load(null, command.overrides()), config -> engine)) {
                assertTrue(server.port() > 0);
              }
            });
    engine.close();
    assertTrue(err.contains("WARN"), err);
    assertTrue(err.contains("INSECURE: listening on 0.0.0.0 WITHOUT API KEYS"), err);
  }

  @Test
  void loopbackServerWithoutKeysRefusesForeignHostNames() throws Exception {
    EchoGenerator engine = new EchoGenerator(1, 4, 1);
    try (RunningServer server = TestServer.start(dir, engine)) {
      assertEquals(200, status(server.port(), "127.0.0.1:" + server.port()));
      assertEquals(200, status(server.port(), "localhost:" + server.port()));
      // a page on attacker.example whose name now resolves to 127.0.0.1
      assertEquals(403, status(server.port(), "attacker.example:" + server.port()));
      assertEquals(200, RawHttp.get(server.port(), "/health/live", "attacker.example", null));
      // the same for gRPC(-Web) by its :authority
      assertEquals(Status.Code.OK, grpcStatus(server.port(), "localhost:" + server.port()));
      assertEquals(
          Status.Code.PERMISSION_DENIED,
          grpcStatus(server.port(), "attacker.example:" + server.port()));
    } finally {
      engine.close();
    }
  }

  static Status.Code grpcStatus(int port, String authority) throws Exception {
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", port)
            .overrideAuthority(authority)
            .usePlaintext()
            .build();
    try {
      PolicyServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .getModelInfo(GetModelInfoRequest.getDefaultInstance());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  static int status(int port, String host) throws Exception {
    return RawHttp.get(port, "/v1/admin/status", host, null);
  }
}
