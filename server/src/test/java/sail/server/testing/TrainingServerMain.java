package sail.server.testing;

import java.nio.file.Path;
import java.security.Permission;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A server process for the training crash tests: {@link TinyTrainingServer} on {@code args[0]}
 * (training on from the start); prints {@code listening PORT} once ready and runs until killed.
 *
 * <p>With {@code args[1]}, the name of a checkpoint directory such as {@code step-000000004}, the
 * thread that writes that checkpoint stops for good just before it creates the checkpoint's {@code
 * metadata.json} (every other file of it is written) and the process prints {@code paused-writing
 * PATH}. The parent can then kill it at exactly that point of a write, which a timed kill would hit
 * only by luck.
 */
public final class TrainingServerMain {
  private TrainingServerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 1) {
      pauseBeforeMetadataOf(args[1]);
    }
    var server = TinyTrainingServer.start(Path.of(args[0]), Map.of());
    System.out.println("listening " + server.port());
    System.out.flush();
    server.awaitStopped();
  }

  /**
   * A security manager sees every file the JDK opens for writing, on the writing thread, so it is a
   * hook into the unmodified checkpoint writer; it allows everything else. Java 17 still lets a
   * program install one (the launcher passes {@code -Djava.security.manager=allow}).
   */
  @SuppressWarnings("removal")
  private static void pauseBeforeMetadataOf(String checkpoint) {
    String inTempDirectory = "/." + checkpoint + ".tmp-";
    System.setSecurityManager(
        new SecurityManager() {
          @Override
          public void checkPermission(Permission permission) {}

          @Override
          public void checkPermission(Permission permission, Object context) {}

          @Override
          public void checkWrite(String file) {
            if (file.contains(inTempDirectory) && file.endsWith("/metadata.json")) {
              System.out.println("paused-writing " + file);
              System.out.flush();
              while (true) {
                LockSupport.park(this);
              }
            }
          }
        });
  }
}
