package sail.server.testing;

import java.nio.file.Path;

/**
 * A server process for the crash test: the full server with an {@link EchoGenerator}, data in
 * {@code args[0]}; prints {@code listening PORT} once ready and runs until killed.
 */
public final class TestServerMain {
  public static void main(String[] args) throws Exception {
    var server = TestServer.start(Path.of(args[0]), new EchoGenerator(8, 64, 1));
    System.out.println("listening " + server.port());
    System.out.flush();
    server.awaitStopped();
  }
}
