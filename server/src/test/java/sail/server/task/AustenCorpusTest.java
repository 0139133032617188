package sail.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AustenCorpusTest {

  @Test
  void joinsWrappedLinesAndBreaksParagraphsAtBlankLines() {
    List<String> lines =
        List.of(
            "CHAPTER I",
            "",
            "",
            "Emma Woodhouse, handsome, clever, and rich, with a comfortable home",
            "  and happy disposition, seemed to unite",
            "   ",
            "\"Poor Miss Taylor!\"");

    assertEquals(
        List.of(
            "CHAPTER I",
            "Emma Woodhouse, handsome, clever, and rich, with a comfortable home and happy"
                + " disposition, seemed to unite",
            "\"Poor Miss Taylor!\""),
        AustenCorpus.paragraphs(lines));
  }
}
