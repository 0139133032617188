package sail.server.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import sail.server.data.Feedback;
import sail.server.data.GenerationIds;
import sail.server.data.Preference;
import sail.server.data.Rating;
import sail.server.data.TrafficLog;
import sail.server.data.Turn;
import sail.server.model.ByteTokenizer;
import sail.server.model.Tokenizer;
import sail.server.testing.LoggedReplies;
import sail.server.training.ChatEncoding;
import sail.server.training.mixture.OfflinePairs;
import sail.server.training.mixture.PreferencePair;

class ExportPairsCommandTest {
  @TempDir Path dir;

  @Test
  void writesChoicesAndRatingPairsAsADatasetTheTrainerCanLoad() throws Exception {
    String kind = GenerationIds.next();
    String curt = GenerationIds.next();
    String warm = GenerationIds.next();
    String cold = GenerationIds.next();
    try (TrafficLog log = TrafficLog.open(dir)) {
      log.append(LoggedReplies.reply(kind, "How are you?", "Very well, thank you."));
      log.append(
          LoggedReplies.reply(
              curt,
              List.of(new Turn("user", "How are you?")),
              "Go away, I have no time for",
              "length"));
      log.append(LoggedReplies.reply(warm, "Any news?", "Lovely news!"));
      log.append(LoggedReplies.reply(cold, "Any news?", "None."));
      log.recordPreference(new Preference(kind, curt, "a")).get();
      log.recordFeedback(new Feedback(warm, "b", Rating.UP, "")).get();
      log.recordFeedback(new Feedback(cold, "b", Rating.DOWN, "")).get();
    }
    Path out = dir.resolve("pairs.jsonl");
    int exit =
        new CommandLine(new ExportPairsCommand())
            .execute("--data-dir", dir.toString(), "--out", out.toString());
    assertEquals(0, exit);
    List<PreferencePair> pairs = OfflinePairs.load(out).pairs();
    assertEquals(2, pairs.size());
    assertEquals(
        List.of("How are you?", "Very well, thank you.", "Go away, I have no time for"),
        List.of(pairs.get(0).prompt(), pairs.get(0).chosen(), pairs.get(0).rejected()));
    // the rejected reply was cut off by max_tokens: trained without an end-of-turn token
    assertTrue(pairs.get(0).chosenEnded());
    assertFalse(pairs.get(0).rejectedEnded());
    Tokenizer tokenizer = new ByteTokenizer();
    int[] cut = ChatEncoding.rejected(tokenizer, "How are you?", pairs.get(0)).response();
    int[] whole = ChatEncoding.chosen(tokenizer, "How are you?", pairs.get(0)).response();
    assertArrayEquals(tokenizer.encode("Go away, I have no time for"), cut);
    assertArrayEquals(tokenizer.encodeReply("Very well, thank you."), whole);
    assertEquals(
        List.of("Any news?", "Lovely news!", "None."),
        List.of(pairs.get(1).prompt(), pairs.get(1).chosen(), pairs.get(1).rejected()));
  }

  @Test
  void aDirectoryWithoutATrafficLogIsRefused() {
    ExportPairsCommand command = new ExportPairsCommand();
    command.dataDir = dir.resolve("nothing-here");
    command.out = dir.resolve("out.jsonl");
    assertThrows(IllegalArgumentException.class, command::call);
  }
}
