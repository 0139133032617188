package sail.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import sail.server.testing.TeeStream;

class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void flagsAndSetBecomeConfigKeys() {
    ServeCommand serve = new ServeCommand(config -> null);
    new CommandLine(serve)
        .parseArgs(
            "--port",
            "9001",
            "--set",
            "training.preset=dpo",
            "--set",
            "http.port=9002",
            "--no-train");
    assertEquals(
        Map.of("http.port", "9002", "training.preset", "dpo", "train", "false"), serve.overrides());
  }

  @Test
  void aDamagedTrafficLogStopsTheStartWithOneClearMessage() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.write(
        data.resolve("traffic.db"),
        "not a database, but 100 bytes or more of something else entirely, e.g. a stray copy"
            .repeat(2)
            .getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream err = System.err;
    int exit;
    try {
      System.setErr(new PrintStream(new TeeStream(captured, err), true, StandardCharsets.UTF_8));
      exit =
          new CommandLine(new ServeCommand(config -> null))
              .execute("--data-dir", data.toString(), "--port", "0", "--no-train");
    } finally {
      System.setErr(err);
    }
    String said = captured.toString(StandardCharsets.UTF_8);
    assertEquals(1, exit);
    assertTrue(
        said.contains("sail serve: traffic log " + data.resolve("traffic.db") + " is damaged"),
        said);
    assertFalse(said.contains("\tat "), "no stack trace: " + said);
  }
}
