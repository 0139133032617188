package sail.server.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The default task's files on the class path, under {@code sail/task/}. */
public final class TaskResources {
  /** The class-path folder; the builder writes the same names into {@code src/main/resources}. */
  public static final String FOLDER = "sail/task/";

  public static final String AFINN = "afinn-165.json";
  public static final String AFINN_NEGATORS = "afinn-negators.json";
  public static final String WORDS = "words.txt";
  public static final String UCI_SENTENCES = "uci-sentences.jsonl";
  public static final String PROMPTS_TRAIN = "prompts-train.jsonl";
  public static final String PROMPTS_HELD_OUT = "prompts-heldout.jsonl";
  public static final String DIALOGUE_SFT = "dialogue-sft.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();

  private TaskResources() {}

  /**
   * Opens one of the files above; the caller closes the stream.
   *
   * @throws UncheckedIOException if it is not on the class path, which means the build did not
   *     package {@code src/main/resources} or {@code DefaultTaskBuilder} has not been run
   */
  public static InputStream open(String name) {
    InputStream in = TaskResources.class.getClassLoader().getResourceAsStream(FOLDER + name);
    if (in == null) {
      throw new UncheckedIOException(
          new IOException(
              "class-path resource "
                  + FOLDER
                  + name
                  + " is missing; rebuild it with sail.server.task.DefaultTaskBuilder"));
    }
    return in;
  }

  /** The supervised fine-tuning turns ({@code dialogue-sft.jsonl}). */
  public static List<DialogueTurn> dialogueSft() {
    List<DialogueTurn> turns = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(open(DIALOGUE_SFT), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isBlank()) {
          JsonNode node = JSON.readTree(line);
          turns.add(
              new DialogueTurn(
                  node.get("user").asText(),
                  node.get("assistant").asText(),
                  node.get("book").asText()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(DIALOGUE_SFT + " is unreadable", e);
    }
    return turns;
  }
}
