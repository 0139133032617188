package sail.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sail.server.data.TrafficLog;
import sail.server.training.LoggedPreferences;
import sail.server.training.mixture.FeedbackPair;
import sail.server.training.mixture.FeedbackPairs;

/**
 * {@code ./sail export-pairs}: the people's labels of a server's traffic log — pairwise choices and
 * 👍-vs-👎 pairs, exactly as the trainer reads them — as preference-pair JSONL ({@code prompt},
 * {@code chosen}, {@code rejected}, plus {@code source}, {@code id} and {@code model_version}). The
 * file is a dataset for {@code training.pairs} or {@code ./sail experiment --offline}.
 */
@Command(
    name = "export-pairs",
    mixinStandardHelpOptions = true,
    description =
        "Write the pairwise choices and 👍-vs-👎 pairs of a traffic log as preference-pair JSONL.")
public final class ExportPairsCommand implements Callable<Integer> {
  @Option(names = "--data-dir", required = true, description = "the server's data directory")
  Path dataDir;

  @Option(names = "--out", required = true, description = "the JSONL file to write")
  Path out;

  private static final int PAGE = 1000;

  @Override
  public Integer call() throws Exception {
    // opening would create an empty log: refuse a directory that has none
    if (!Files.isRegularFile(dataDir.resolve("traffic.db"))) {
      throw new IllegalArgumentException("--data-dir " + dataDir + ": no traffic.db there");
    }
    ObjectMapper json = new ObjectMapper();
    long written = 0;
    try (TrafficLog log = TrafficLog.open(dataDir);
        BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (FeedbackPairs source : LoggedPreferences.of(log)) {
        long after = 0;
        while (true) {
          List<FeedbackPair> page = source.after(after, PAGE);
          if (page.isEmpty()) {
            break;
          }
          for (FeedbackPair pair : page) {
            ObjectNode line =
                json.createObjectNode()
                    .put("prompt", pair.prompt())
                    .put("chosen", pair.chosen())
                    .put("rejected", pair.rejected())
                    .put("chosen_ended", pair.chosenEnded())
                    .put("rejected_ended", pair.rejectedEnded())
                    .put("source", pair.source())
                    .put("id", pair.id())
                    .put("model_version", pair.modelVersion());
            writer.write(json.writeValueAsString(line));
            writer.newLine();
            written++;
            after = pair.id();
          }
        }
      }
    }
    System.err.println("wrote " + written + " pairs to " + out);
    return 0;
  }
}
