package sail.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {
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
}
