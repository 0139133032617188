package sail.client.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sail.client.BlockingSailClient;
import sail.v1.StatusResponse;

/** {@code sail status}: model version, traffic counts, queue. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show server status.")
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connection;

  @Option(names = "--json", description = "print JSON")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (BlockingSailClient client = connection.connect()) {
      StatusResponse s = client.status();
      if (json) {
        out.println(Output.status(s).encode());
      } else {
        out.printf(
            "model version %d%s%ngenerations %d, feedback %d, preferences %d%n"
                + "queued %d, active %d, up %d s%n",
            s.getModelVersion(),
            s.getReady() ? "" : " (not ready)",
            s.getCounts().getGenerations(),
            s.getCounts().getFeedback(),
            s.getCounts().getPreferences(),
            s.getQueued(),
            s.getActive(),
            s.getUptimeSeconds());
      }
    }
    out.flush();
    return 0;
  }
}
