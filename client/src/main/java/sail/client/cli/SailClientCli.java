package sail.client.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the client-side subcommands of {@code ./sail}. */
@Command(
    name = "sail",
    mixinStandardHelpOptions = true,
    description = "Talk to a SAIL server: generate, rate replies, chat, check status.",
    subcommands = {
      GenerateCommand.class,
      FeedbackCommand.class,
      ChatCommand.class,
      TrainingCommand.class,
      StatusCommand.class
    })
public final class SailClientCli {
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command tree with error handling that prints one line instead of a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new SailClientCli());
    cli.setExecutionExceptionHandler(
        (error, commandLine, parseResult) -> {
          commandLine.getErr().println("error: " + error.getMessage());
          return 1;
        });
    return cli;
  }
}
