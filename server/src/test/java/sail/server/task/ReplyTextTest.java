package sail.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyTextTest {
  private static final WordDictionary DICTIONARY =
      new WordDictionary(List.of("mr", "is", "here", "good", "humoured", "day", "don't"));

  @Test
  void countsWordsAndKnownChunks() {
    ReplyText text = ReplyText.of("Mr. Wickham is here -- good-humoured, 'good' day!", DICTIONARY);

    assertEquals(
        List.of("mr", "wickham", "is", "here", "good", "humoured", "good", "day"), text.words());
    assertEquals(7, text.chunks());
    assertEquals(6.5, text.known(), 1e-12, "Wickham is a name the dictionary lacks: half known");
  }

  @Test
  void shoutedPunctuationGarbageAndEmptyTextAreNotKnown() {
    assertEquals(0.5, ReplyText.of("good!! day.", DICTIONARY).knownShare(), 1e-12);
    assertEquals(1.0, ReplyText.of("good day...", DICTIONARY).knownShare(), 1e-12);
    assertEquals(0.0, ReplyText.of("g00d# \uFFFDday \u0000", DICTIONARY).knownShare(), 1e-12);
    assertEquals(0.0, ReplyText.of("", DICTIONARY).knownShare(), 1e-12);
    assertEquals(1.0, ReplyText.of("Don\u2019t, 1,000 - & 42%", DICTIONARY).knownShare(), 1e-12);
  }
}
