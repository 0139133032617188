package sail.loadtest;

import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the load-side subcommands of {@code ./sail}: {@code loadtest} (and its {@code
 * bench-serving} subcommand), {@code demo} and {@code experiment}.
 */
@Command(
    name = "sail",
    mixinStandardHelpOptions = true,
    description = "Put load on a SAIL server and measure it.",
    subcommands = {
      LoadTestCommand.class,
      sail.loadtest.demo.DemoCommand.class,
      sail.loadtest.experiment.ExperimentCommand.class
    })
public final class LoadTestCli {
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command tree; failures print one line instead of a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new LoadTestCli());
    cli.registerConverter(Duration.class, Durations::parse);
    cli.setExecutionExceptionHandler(
        (error, commandLine, parseResult) -> {
          commandLine.getErr().println("error: " + error.getMessage());
          return 1;
        });
    return cli;
  }
}
