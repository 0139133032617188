package sail.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the server-side subcommands of {@code ./sail}. */
@Command(
    name = "sail",
    mixinStandardHelpOptions = true,
    description = "SAIL Server: serve a language model and align it online.",
    subcommands = {
      ServeCommand.class,
      PretrainCommand.class,
      BenchCommand.class,
      BuildPairsCommand.class,
      ExportPairsCommand.class,
      ObjectiveCommand.class
    })
public final class SailServerCli {
  public static void main(String[] args) {
    System.exit(new CommandLine(new SailServerCli()).execute(args));
  }
}
