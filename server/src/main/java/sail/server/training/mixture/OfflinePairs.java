package sail.server.training.mixture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An offline preference dataset: JSON Lines, one object per line with string fields {@code prompt},
 * {@code chosen} and {@code rejected}; other fields (scores, source) are ignored and blank lines
 * are skipped. For example:
 *
 * <pre>
 *   {"prompt": "How was the ball?", "chosen": "Delightful, thank you.", "rejected": "Dull."}
 * </pre>
 *
 * <p>Row ids are {@code NAME#INDEX} with the 0-based index among the rows, so they are stable for
 * an unchanged file.
 */
public final class OfflinePairs implements PreferenceSource {
  /** Where the shipped dataset lives, relative to the working directory. */
  public static final Path DEFAULT_PATH = Path.of("models/offline-pairs.jsonl");

  /** No dataset: for mixtures without offline or DDP rows. */
  public static final OfflinePairs NONE = new OfflinePairs("no dataset", List.of());

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final List<PreferencePair> pairs;

  private OfflinePairs(String name, List<PreferencePair> pairs) {
    this.name = name;
    this.pairs = List.copyOf(pairs);
  }

  /** A dataset of {@code pairs} made in code (e.g. relabelled), named {@code name}. */
  public static OfflinePairs of(String name, List<PreferencePair> pairs) {
    return new OfflinePairs(name, pairs);
  }

  /**
   * Reads a JSONL file.
   *
   * @throws DatasetFormatException naming the file and line of the first bad row, or if the file
   *     holds no rows
   * @throws UncheckedIOException if the file cannot be read
   */
  public static OfflinePairs load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read offline pairs from " + file, e);
    }
    return parse(file.toString(), lines);
  }

  /** Parses JSONL lines; {@code name} stands for the file in ids and messages. */
  public static OfflinePairs parse(String name, List<String> lines) {
    List<PreferencePair> pairs = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      int lineNumber = i + 1;
      JsonNode row;
      try {
        row = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new DatasetFormatException(
            name, lineNumber, "not valid JSON (" + e.getOriginalMessage() + ")");
      }
      if (row == null || !row.isObject()) {
        throw new DatasetFormatException(
            name, lineNumber, "expected a JSON object with prompt, chosen and rejected");
      }
      String prompt = text(row, "prompt", name, lineNumber);
      if (prompt.isBlank()) {
        throw new DatasetFormatException(name, lineNumber, "field 'prompt' is empty");
      }
      String chosen = text(row, "chosen", name, lineNumber);
      String rejected = text(row, "rejected", name, lineNumber);
      // optional: whether each reply ended its turn (true when absent: a complete reply)
      pairs.add(
          new PreferencePair(
              name + "#" + pairs.size(),
              prompt,
              chosen,
              rejected,
              row.path("chosen_ended").asBoolean(true),
              row.path("rejected_ended").asBoolean(true)));
    }
    if (pairs.isEmpty()) {
      throw new DatasetFormatException(name, lines.size(), "the dataset holds no rows");
    }
    return new OfflinePairs(name, pairs);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return pairs.size();
  }

  @Override
  public PreferencePair get(int index) {
    return pairs.get(index);
  }

  /** Every pair, in file order. */
  public List<PreferencePair> pairs() {
    return pairs;
  }

  /** The distinct prompts in order of first appearance (prompts for fresh samples). */
  public PromptSource prompts() {
    Set<String> distinct = new LinkedHashSet<>();
    for (PreferencePair pair : pairs) {
      distinct.add(pair.prompt());
    }
    return PromptSource.of(new ArrayList<>(distinct));
  }

  private static String text(JsonNode row, String field, String name, int line) {
    JsonNode value = row.get(field);
    if (value == null || value.isNull()) {
      throw new DatasetFormatException(
          name, line, "missing field '" + field + "'; each row needs prompt, chosen and rejected");
    }
    if (!value.isTextual()) {
      throw new DatasetFormatException(
          name, line, "field '" + field + "' must be a string, got " + value.getNodeType());
    }
    return value.asText();
  }
}
