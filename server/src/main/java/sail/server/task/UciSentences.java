package sail.server.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The UCI "Sentiment Labelled Sentences" (Kotzias, Denil, de Freitas and Smyth 2015, "From Group to
 * Individual Labels using Deep Features", KDD; CC BY 4.0): 1,000 sentences each from IMDb, Yelp and
 * Amazon reviews, half of them positive.
 *
 * <p>The build reads them from the test fixtures of npm {@code sentiment@5.0.2} ({@code
 * test/fixtures/{imdb,yelp,amazon}.json}, arrays of {@code {"text", "class"}} whose last record has
 * no class and is skipped); the running product reads the copy on the class path, one JSON object a
 * line: {@code {"text": ..., "label": 0|1, "source": ...}}.
 */
public final class UciSentences {
  /** The fixtures inside {@code build-data/}. */
  public static final Path FIXTURES_IN_BUILD_DATA = Path.of("npm", "sentiment", "test", "fixtures");

  /** The three review sites, in the order the sentences are kept. */
  public static final List<String> SOURCES = List.of("imdb", "yelp", "amazon");

  private static final ObjectMapper JSON = new ObjectMapper();

  private UciSentences() {}

  /** Reads the fixtures from {@code build-data/}, skipping records without a class. */
  public static List<LabelledSentence> loadFixtures(Path buildData) throws IOException {
    List<LabelledSentence> sentences = new ArrayList<>();
    for (String source : SOURCES) {
      JsonNode records =
          JSON.readTree(
              buildData.resolve(FIXTURES_IN_BUILD_DATA).resolve(source + ".json").toFile());
      for (JsonNode record : records) {
        JsonNode label = record.get("class");
        String text = record.path("text").asText("").strip();
        if (label == null || label.isNull() || text.isEmpty()) {
          continue;
        }
        sentences.add(new LabelledSentence(text, label.asInt() == 1, source));
      }
    }
    return sentences;
  }

  /** Reads the copy on the class path ({@code sail/task/uci-sentences.jsonl}). */
  public static List<LabelledSentence> load() {
    try (InputStream in = TaskResources.open(TaskResources.UCI_SENTENCES)) {
      return readJsonl(in);
    } catch (IOException e) {
      throw new UncheckedIOException("the UCI sentences are unreadable", e);
    }
  }

  /** Parses the JSON-lines form; blank lines are ignored. */
  public static List<LabelledSentence> readJsonl(InputStream in) throws IOException {
    List<LabelledSentence> sentences = new ArrayList<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = JSON.readTree(line);
      sentences.add(
          new LabelledSentence(
              node.get("text").asText(),
              node.get("label").asInt() == 1,
              node.get("source").asText()));
    }
    return sentences;
  }

  /** The JSON-lines form of {@code sentences}, one object a line. */
  public static List<String> toJsonl(List<LabelledSentence> sentences) {
    List<String> lines = new ArrayList<>(sentences.size());
    for (LabelledSentence sentence : sentences) {
      lines.add(
          JSON.createObjectNode()
              .put("text", sentence.text())
              .put("label", sentence.positive() ? 1 : 0)
              .put("source", sentence.source())
              .toString());
    }
    return lines;
  }
}
