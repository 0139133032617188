package sail.server.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import sail.server.model.ByteTokenizer;
import sail.server.model.SequenceScorer;
import sail.server.task.DialogueTurn;
import sail.server.task.TaskResources;

class DialogueAnchorTest {
  private final ByteTokenizer tokenizer = new ByteTokenizer();

  @Test
  void aShortReplyIsScoredWithItsEndOfTurnAndALongOneIsCutWithout() {
    String longReply = "a".repeat(DialogueAnchor.MAX_REPLY_TOKENS * 2);
    DialogueAnchor anchor =
        DialogueAnchor.of(
            List.of(
                new DialogueTurn("Are you well?", "Quite well.", "Emma"),
                new DialogueTurn("And you?", longReply, "Emma")),
            tokenizer);
    assertEquals(2, anchor.size());
    Set<Integer> lengths = new HashSet<>();
    for (SequenceScorer.Example example : anchor.draw(1, 0, 40)) {
      lengths.add(example.response().length);
      if (example.response().length == DialogueAnchor.MAX_REPLY_TOKENS) {
        assertNotEquals(
            tokenizer.endOfTurnId(), example.response()[DialogueAnchor.MAX_REPLY_TOKENS - 1]);
      } else {
        assertArrayEquals(tokenizer.encodeReply("Quite well."), example.response());
        assertArrayEquals(ChatEncoding.prompt(tokenizer, "Are you well?"), example.prompt());
      }
    }
    assertEquals(
        Set.of(DialogueAnchor.MAX_REPLY_TOKENS, tokenizer.encodeReply("Quite well.").length),
        lengths,
        "both turns drawn in 40 rows");
  }

  @Test
  void turnsWithOverLongPromptsOrBlankRepliesAreLeftOut() {
    String longPrompt = "b".repeat(DialogueAnchor.MAX_PROMPT_TOKENS);
    DialogueAnchor anchor =
        DialogueAnchor.of(
            List.of(
                new DialogueTurn(longPrompt, "Yes.", "Emma"),
                new DialogueTurn("Well?", " ", "Emma"),
                new DialogueTurn("Well?", "Indeed.", "Emma")),
            tokenizer);
    assertEquals(1, anchor.size());
    assertThrows(
        IllegalArgumentException.class,
        () -> DialogueAnchor.of(List.of(new DialogueTurn(longPrompt, "Yes.", "Emma")), tokenizer));
  }

  @Test
  void drawsDependOnlyOnSeedAndStep() {
    DialogueAnchor anchor = DialogueAnchor.of(TaskResources.dialogueSft(), tokenizer);
    assertTrue(anchor.size() > 1000, "most shipped turns fit: " + anchor.size());
    List<SequenceScorer.Example> first = anchor.draw(7, 3, DialogueAnchor.ROWS);
    List<SequenceScorer.Example> again = anchor.draw(7, 3, DialogueAnchor.ROWS);
    List<SequenceScorer.Example> next = anchor.draw(7, 4, DialogueAnchor.ROWS);
    assertEquals(DialogueAnchor.ROWS, first.size());
    assertEquals(first, again, "same seed and step, same turns");
    assertNotEquals(first, next, "the next step draws other turns");
    for (SequenceScorer.Example example : first) {
      assertTrue(example.prompt().length <= DialogueAnchor.MAX_PROMPT_TOKENS);
      assertTrue(example.response().length <= DialogueAnchor.MAX_REPLY_TOKENS);
    }
  }
}
