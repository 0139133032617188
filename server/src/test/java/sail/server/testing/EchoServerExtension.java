package sail.server.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import sail.server.RunningServer;

/**
 * One real server with an {@link EchoGenerator} for all tests of a class, on a random port with its
 * data in a fresh temporary folder: {@code @RegisterExtension static EchoServerExtension server =
 * new EchoServerExtension();}.
 */
public final class EchoServerExtension implements BeforeAllCallback, AfterAllCallback {
  private Path dataDir;
  private EchoGenerator engine;
  private RunningServer server;
  private LocalHttp http;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dataDir = Files.createTempDirectory("sail-echo-server");
    engine = new EchoGenerator(8, 32, 2);
    server = TestServer.start(dataDir, engine);
    http = new LocalHttp(server.port());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    server.close();
    engine.close();
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  public RunningServer server() {
    return server;
  }

  public LocalHttp http() {
    return http;
  }
}
