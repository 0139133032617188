package sail.loadtest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import sail.loadtest.Durations;

/** The command line of the training-latency benchmark (its runs are benchmarks, not tests). */
class BenchTrainingCommandTest {
  private static BenchTrainingCommand parse(String... args) {
    BenchTrainingCommand command = new BenchTrainingCommand();
    new CommandLine(command).registerConverter(Duration.class, Durations::parse).parseArgs(args);
    return command;
  }

  @Test
  void defaultsAreAModerateRateInAlternatingMinutePhases() {
    BenchTrainingCommand command = parse();
    assertEquals(5.0, command.rate);
    assertEquals(Duration.ofSeconds(60), command.phase);
    assertEquals(2, command.rounds);
  }

  @Test
  void takesServerSettingsAndRefusesANonsenseRateBeforeStartingAnything() {
    BenchTrainingCommand command =
        parse("--rate", "0", "--set", "training.preset=sail-dpp", "--phase", "30s");
    assertEquals("sail-dpp", command.settings.get("training.preset"));
    assertThrows(IllegalArgumentException.class, command::call);
  }
}
