package sail.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class FortunesCorpusTest {

  @Test
  void keepsProseDropsAttributionChatAndSymbols() {
    String file =
        String.join(
            "\n",
            "A celebrity is a person who is known for his",
            "well-knownness.",
            "\t\t-- Daniel Boorstin",
            "\t\t   in a book",
            "%",
            "<nick> this is a chat log line",
            "<other> and another one",
            "%",
            "   ...:::...   ###   ...:::...",
            "%",
            "Short.",
            "%",
            "The _\bc_\ba_\bt sat upon the mat, as cats will do.",
            "%",
            "");

    assertEquals(
        List.of(
            "A celebrity is a person who is known for his well-knownness.",
            "The cat sat upon the mat, as cats will do."),
        FortunesCorpus.parse(file));
  }
}
