package sail.client.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sail.client.BlockingSailClient;
import sail.v1.FeedbackResponse;
import sail.v1.Rating;

/** {@code sail feedback}: thumbs up or down on a generation. */
@Command(name = "feedback", mixinStandardHelpOptions = true, description = "Rate a generation.")
final class FeedbackCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connection;

  @Option(names = "--id", required = true, description = "generation id")
  String id;

  @ArgGroup(multiplicity = "1")
  Direction direction;

  static final class Direction {
    @Option(names = "--up", required = true, description = "a good reply")
    boolean up;

    @Option(names = "--down", required = true, description = "a bad reply")
    boolean down;
  }

  @Option(names = "--comment", description = "optional free text")
  String comment;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (BlockingSailClient client = connection.connect()) {
      FeedbackResponse response =
          client.feedback(id, direction.up ? Rating.UP : Rating.DOWN, comment, connection.clientId);
      out.println(response.getReplaced() ? "recorded (replaced your earlier rating)" : "recorded");
    }
    out.flush();
    return 0;
  }
}
