package sail.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DialogueExtractorTest {

  @Test
  void pairsConsecutiveSpeechesAndDropsNarration() {
    List<String> paragraphs =
        List.of(
            "Emma smiled and chatted as cheerfully as she could.",
            "\"Poor Miss Taylor!--I wish she were here again,\" said Mr. Woodhouse.",
            "\"I cannot agree with you, papa; you know I cannot,\" replied Emma.",
            "He sighed.",
            "\u201CShall we walk?\u201D asked he, \u201Cthe weather is _very_ fine.\u201D",
            "\u201CWith pleasure, if it does not rain.\u201D");

    List<DialogueTurn> turns = DialogueExtractor.extract(paragraphs, "Emma");

    assertEquals(
        List.of(
            new DialogueTurn(
                "Poor Miss Taylor!--I wish she were here again.",
                "I cannot agree with you, papa; you know I cannot.",
                "Emma"),
            new DialogueTurn(
                "Shall we walk? the weather is very fine.",
                "With pleasure, if it does not rain.",
                "Emma")),
        turns);
  }

  @Test
  void joinsPiecesAroundADialogueTag() {
    DialogueExtractor.Speech speech =
        DialogueExtractor.speech("\"I do not think,\" said she, \"that he will come,\" and left.");

    assertEquals("I do not think that he will come.", speech.text());
    assertNull(DialogueExtractor.speech("Nobody spoke for a while."));
  }

  @Test
  void aSpeechRunningOnIntoTheNextParagraphStartsNoTurn() {
    List<String> paragraphs =
        List.of(
            "\"My dear Jane, you will hardly believe me when I tell you this.",
            "\"He is coming to Netherfield on Monday next.\"",
            "\"Is he indeed? I am glad of it.\"");

    List<DialogueTurn> turns = DialogueExtractor.extract(paragraphs, "Pride & Prejudice");

    assertEquals(
        List.of(
            new DialogueTurn(
                "He is coming to Netherfield on Monday next.",
                "Is he indeed? I am glad of it.",
                "Pride & Prejudice")),
        turns);
  }

  @Test
  void cutsLongSpeechesAtSentencesAndDropsShortOnes() {
    String sentence = "This is a sentence of moderate length, said for the test. ";
    String longSpeech = sentence.repeat(8).strip(); // about 470 characters
    List<String> paragraphs =
        List.of(
            "\"" + longSpeech + "\"", "\"" + longSpeech + "\"", "\"Yes.\"", "\"Indeed it is so.\"");

    List<DialogueTurn> turns = DialogueExtractor.extract(paragraphs, "Emma");

    assertEquals(
        1, turns.size(), "only the pair of long speeches qualifies; \"Yes.\" is too short");
    DialogueTurn turn = turns.get(0);
    assertTrue(turn.user().length() <= DialogueExtractor.MAX_CHARS);
    assertTrue(turn.assistant().length() <= DialogueExtractor.MAX_CHARS);
    assertTrue(longSpeech.endsWith(turn.user()), "the user keeps the closing sentences");
    assertTrue(longSpeech.startsWith(turn.assistant()), "the reply keeps its opening sentences");
    assertEquals(
        "Mr. Knightley came.", DialogueExtractor.firstSentences("Mr. Knightley came. He sat.", 20));
  }
}
