package sail.server.training.mixture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflinePairsTest {
  private static final String ROW_A =
      "{\"prompt\":\"How was the ball?\",\"chosen\":\"Delightful.\",\"rejected\":\"Dull.\","
          + "\"chosen_score\":0.8,\"source\":\"test\"}";
  private static final String ROW_B =
      "{\"prompt\":\"Any news?\",\"chosen\":\"Good news!\",\"rejected\":\"None.\"}";
  private static final String ROW_C =
      "{\"prompt\":\"How was the ball?\",\"chosen\":\"Lovely.\",\"rejected\":\"Hot.\"}";

  @Test
  void readsRowsIgnoringExtraFieldsAndBlankLines() {
    OfflinePairs pairs = OfflinePairs.parse("pairs.jsonl", List.of(ROW_A, "", ROW_B, "  ", ROW_C));

    assertEquals(3, pairs.size());
    assertEquals(
        new PreferencePair("pairs.jsonl#0", "How was the ball?", "Delightful.", "Dull."),
        pairs.get(0));
    assertEquals(
        new PreferencePair("pairs.jsonl#1", "Any news?", "Good news!", "None."), pairs.get(1));
    assertEquals("pairs.jsonl#2", pairs.get(2).id());
    PromptSource prompts = pairs.prompts();
    assertEquals(2, prompts.size());
    assertEquals("How was the ball?", prompts.get(0));
    assertEquals("Any news?", prompts.get(1));
  }

  @Test
  void loadsAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("mine.jsonl");
    Files.writeString(file, ROW_A + "\n" + ROW_B + "\n");
    OfflinePairs pairs = OfflinePairs.load(file);
    assertEquals(2, pairs.size());
    assertEquals(file.toString(), pairs.name());
  }

  @Test
  void aBadRowNamesTheFileAndLine() {
    DatasetFormatException notJson =
        assertThrows(
            DatasetFormatException.class,
            () -> OfflinePairs.parse("pairs.jsonl", List.of(ROW_A, "", "{\"prompt\": oops")));
    assertEquals(3, notJson.line());
    assertTrue(
        notJson.getMessage().startsWith("pairs.jsonl line 3: not valid JSON"),
        notJson.getMessage());

    DatasetFormatException missing =
        assertThrows(
            DatasetFormatException.class,
            () ->
                OfflinePairs.parse(
                    "pairs.jsonl", List.of(ROW_B, "{\"prompt\":\"p\",\"chosen\":\"c\"}")));
    assertEquals(
        "pairs.jsonl line 2: missing field 'rejected'; each row needs prompt, chosen and rejected",
        missing.getMessage());

    DatasetFormatException notText =
        assertThrows(
            DatasetFormatException.class,
            () ->
                OfflinePairs.parse(
                    "x.jsonl", List.of("{\"prompt\":\"p\",\"chosen\":3,\"rejected\":\"r\"}")));
    assertEquals(
        "x.jsonl line 1: field 'chosen' must be a string, got NUMBER", notText.getMessage());

    assertThrows(
        DatasetFormatException.class, () -> OfflinePairs.parse("x.jsonl", List.of("[1, 2]")));
    assertThrows(
        DatasetFormatException.class,
        () ->
            OfflinePairs.parse(
                "x.jsonl", List.of("{\"prompt\":\" \",\"chosen\":\"c\",\"rejected\":\"r\"}")));
  }

  @Test
  void anEmptyDatasetIsAnError() {
    DatasetFormatException empty =
        assertThrows(
            DatasetFormatException.class, () -> OfflinePairs.parse("e.jsonl", List.of("")));
    assertTrue(empty.getMessage().contains("no rows"), empty.getMessage());
  }
}
