package sail.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A server in a separate JVM on this test's class path, for tests that kill it without shutdown
 * ({@link #kill()}: {@code destroyForcibly}, SIGKILL). Its standard output and error are kept line
 * by line (and error is still shown), so a test can wait for what the process says.
 */
public final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final Lines out = new Lines();
  private final Lines err = new Lines();
  private final int port;

  private ServerProcess(Process process) {
    this.process = process;
    pump(process.getInputStream(), out, null, "stdout");
    pump(process.getErrorStream(), err, System.err, "stderr");
    String listening = awaitOutput(line -> line.startsWith("listening "), Duration.ofMinutes(2));
    this.port = Integer.parseInt(listening.substring("listening ".length()).trim());
  }

  /**
   * Starts {@code main} (which must print {@code listening PORT} once it serves) and waits for that
   * line.
   *
   * @param jvmOptions e.g. system properties for the child
   */
  public static ServerProcess launch(Class<?> main, List<String> jvmOptions, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Dai.djl.offline=true");
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    command.addAll(jvmOptions);
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ServerProcess(new ProcessBuilder(command).start());
  }

  public int port() {
    return port;
  }

  /** The first line of standard output that matches, waiting for it up to {@code timeout}. */
  public String awaitOutput(Predicate<String> matches, Duration timeout) {
    return out.await(matches, timeout, "standard output");
  }

  /** The first line of standard error (the log) that matches, waiting up to {@code timeout}. */
  public String awaitLog(Predicate<String> matches, Duration timeout) {
    return err.await(matches, timeout, "log");
  }

  /** Every log line so far that matches. */
  public List<String> logLines(Predicate<String> matches) {
    return err.matching(matches);
  }

  /** Kills the process without shutdown (SIGKILL) and waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("killed server process did not exit");
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  private void pump(InputStream stream, Lines lines, PrintStream echo, String name) {
    Thread thread =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  if (echo != null) {
                    echo.println(line);
                  }
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process is gone; what it wrote so far is kept
              } finally {
                lines.end();
              }
            },
            "server-process-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Lines of one stream; waiters wake on each new line and when the stream ends. */
  private final class Lines {
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    synchronized void add(String line) {
      lines.add(line);
      notifyAll();
    }

    synchronized void end() {
      ended = true;
      notifyAll();
    }

    synchronized List<String> matching(Predicate<String> matches) {
      return lines.stream().filter(matches).toList();
    }

    synchronized String await(Predicate<String> matches, Duration timeout, String what) {
      long deadline = System.nanoTime() + timeout.toNanos();
      int seen = 0;
      while (true) {
        for (; seen < lines.size(); seen++) {
          if (matches.test(lines.get(seen))) {
            return lines.get(seen);
          }
        }
        long left = deadline - System.nanoTime();
        if (ended || left <= 0) {
          throw new AssertionError(
              "server process "
                  + (ended ? "closed its " + what : "did not write the awaited line to its " + what)
                  + (process.isAlive() ? "" : "; exit code " + process.exitValue()));
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for the server process", e);
        }
      }
    }
  }
}
