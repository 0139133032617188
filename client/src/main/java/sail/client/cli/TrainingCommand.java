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
import sail.v1.EvaluateResponse;

/**
 * {@code sail training pause|resume|publish|checkpoint|rollback|evaluate}: control the server's
 * online trainer.
 */
@Command(
    name = "training",
    mixinStandardHelpOptions = true,
    description =
        "Control online training: pause, resume, publish (the live weights now, guards"
            + " first), checkpoint, rollback --version N;"
            + " evaluate [--version N] [--prompts N] [--seed S] [--json]: win-rate against the"
            + " reference.")
final class TrainingCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connection;

  @Parameters(index = "0", description = "pause, resume, publish, checkpoint, rollback or evaluate")
  String action;

  @Option(
      names = "--version",
      description =
          "for rollback: the model version to serve again; for evaluate: the version to evaluate"
              + " (default: the served one)")
  Long version;

  @Option(names = "--prompts", description = "for evaluate: held-out prompts (default 200)")
  int prompts;

  @Option(names = "--seed", description = "for evaluate: seed of the replies (default: fixed)")
  Long seed;

  @Option(names = "--json", description = "for evaluate: print JSON")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (BlockingSailClient client = connection.connect()) {
      switch (action) {
        case "pause" -> out.println("training " + client.pauseTraining().getState());
        case "resume" -> out.println("training " + client.resumeTraining().getState());
        case "publish" -> {
          sail.v1.PublishResponse p = client.publish();
          out.println(
              p.getPublished()
                  ? "published version " + p.getModelVersion() + " (step " + p.getStep() + ")"
                  : "not published: " + p.getDetail());
        }
        case "checkpoint" -> out.println("checkpoint " + client.checkpoint().getPath());
        case "rollback" -> {
          if (version == null) {
            spec.commandLine().getErr().println("rollback needs --version N");
            return 2;
          }
          out.println("serving version " + client.rollback(version).getModelVersion());
        }
        case "evaluate" -> {
          EvaluateResponse e = client.evaluate(version, prompts, seed);
          out.println(json ? Output.evaluation(e).encode() : Output.evaluationLine(e));
        }
        default -> {
          spec.commandLine()
              .getErr()
              .println(
                  "unknown action '"
                      + action
                      + "'; expected pause, resume, publish, checkpoint, rollback, evaluate");
          return 2;
        }
      }
    }
    out.flush();
    return 0;
  }
}
