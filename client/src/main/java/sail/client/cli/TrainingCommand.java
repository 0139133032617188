package sail.client.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import sail.client.BlockingSailClient;

/** {@code sail training pause|resume|checkpoint|rollback}: control the server's online trainer. */
@Command(
    name = "training",
    mixinStandardHelpOptions = true,
    description = "Control online training: pause, resume, checkpoint, rollback --version N.")
final class TrainingCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connection;

  @Parameters(index = "0", description = "pause, resume, checkpoint or rollback")
  String action;

  @Option(names = "--version", description = "for rollback: the model version to serve again")
  Long version;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (BlockingSailClient client = connection.connect()) {
      switch (action) {
        case "pause" -> out.println("training " + client.pauseTraining().getState());
        case "resume" -> out.println("training " + client.resumeTraining().getState());
        case "checkpoint" -> out.println("checkpoint " + client.checkpoint().getPath());
        case "rollback" -> {
          if (version == null) {
            spec.commandLine().getErr().println("rollback needs --version N");
            return 2;
          }
          out.println("serving version " + client.rollback(version).getModelVersion());
        }
        default -> {
          spec.commandLine()
              .getErr()
              .println(
                  "unknown action '" + action + "'; expected pause, resume, checkpoint, rollback");
          return 2;
        }
      }
    }
    out.flush();
    return 0;
  }
}
