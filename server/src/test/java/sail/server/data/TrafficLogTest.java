package sail.server.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrafficLogTest {
  @TempDir Path dir;

  static GenerationRecord generation(String id, String prompt, String reply) {
    return new GenerationRecord(
        id,
        Instant.ofEpochMilli(1_700_000_000_000L),
        List.of(new Turn("user", prompt)),
        reply,
        3,
        new Sampling(0.7, 0.9, 0, 64, List.of("\n"), 42),
        5,
        7,
        -3.25,
        "stop",
        "client-a");
  }

  @Test
  void storesAndReadsBackAGeneration() throws Exception {
    String id = GenerationIds.next();
    try (TrafficLog log = TrafficLog.open(dir)) {
      log.append(generation(id, "hello", "hi there")).get();
      GenerationRecord back = log.findGeneration(id).orElseThrow();
      assertEquals(generation(id, "hello", "hi there"), back);
      assertEquals(new Counts(1, 0, 0), log.counts());
    }
  }

  @Test
  void everyReplyIsReadBackWithItsVersionInLogOrder() throws Exception {
    try (TrafficLog log = TrafficLog.open(dir)) {
      log.append(generation(GenerationIds.next(), "p", "first"));
      log.append(generation(GenerationIds.next(), "p", "second"));
      log.append(generation(GenerationIds.next(), "q", "third")).get();
      List<String> read = new ArrayList<>();
      log.forEachReply((reply, version) -> read.add(reply + "@" + version));
      assertEquals(List.of("first@3", "second@3", "third@3"), read);
    }
  }

  @Test
  void queuedWritesShareCommits() throws Exception {
    int n = 2000;
    try (TrafficLog log = TrafficLog.open(dir)) {
      List<CompletableFuture<Void>> writes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        writes.add(log.append(generation(GenerationIds.next(), "p" + i, "r")));
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
      assertEquals(n, log.counts().generations());
      assertTrue(log.commits() < n / 2, "expected batching, got " + log.commits() + " commits");
    }
  }

  @Test
  void repeatedFeedbackFromOneClientReplacesTheEarlierRating() throws Exception {
    String id = GenerationIds.next();
    try (TrafficLog log = TrafficLog.open(dir)) {
      log.append(generation(id, "q", "a"));
      assertFalse(log.recordFeedback(new Feedback(id, "alice", Rating.UP, "good")).get());
      assertTrue(log.recordFeedback(new Feedback(id, "alice", Rating.DOWN, "changed")).get());
      assertFalse(log.recordFeedback(new Feedback(id, "bob", Rating.UP, "")).get());
      assertEquals(2, log.counts().feedback());

      List<RatedGeneration> rated = log.ratedGenerations(0, 10);
      assertEquals(2, rated.size());
      RatedGeneration alice =
          rated.stream().filter(r -> r.clientId().equals("alice")).findFirst().orElseThrow();
      assertEquals(Rating.DOWN, alice.rating());
      assertEquals("changed", alice.comment());
      assertEquals("a", alice.generation().response());
      // the replacement got a new seq, so a trainer reading the change stream sees it
      assertEquals(2, alice.seq());
    }
  }

  @Test
  void oppositeRatingsOfRepliesToOnePromptFormPairs() throws Exception {
    String liked = GenerationIds.next();
    String disliked = GenerationIds.next();
    String alsoLiked = GenerationIds.next();
    String elsewhere = GenerationIds.next();
    try (TrafficLog log = TrafficLog.open(dir)) {
      log.append(generation(liked, "same", "good one"));
      log.append(generation(disliked, "same", "bad one"));
      log.append(generation(alsoLiked, "same", "fine one"));
      log.append(generation(elsewhere, "other", "unrelated"));
      // seq 1..3 rate without a partner of the opposite sign
      log.recordFeedback(new Feedback(elsewhere, "a", Rating.DOWN, "")).get();
      log.recordFeedback(new Feedback(liked, "a", Rating.UP, "")).get();
      log.recordFeedback(new Feedback(alsoLiked, "b", Rating.UP, "")).get();
      assertEquals(List.of(), log.ratingPairs(0, 10));
      // seq 4: a 👎 pairs with both earlier 👍 replies to the same prompt, once each
      log.recordFeedback(new Feedback(disliked, "c", Rating.DOWN, "")).get();
      List<PreferencePair> pairs = log.ratingPairs(0, 10);
      assertEquals(2, pairs.size());
      for (PreferencePair pair : pairs) {
        assertEquals(4, pair.seq());
        assertEquals("bad one", pair.rejected().response());
      }
      assertEquals(
          List.of("good one", "fine one"), pairs.stream().map(p -> p.chosen().response()).toList());
      // a reader past seq 4 sees nothing new; a small window still reads past unpaired ratings
      assertEquals(List.of(), log.ratingPairs(4, 10));
      assertEquals(2, log.ratingPairs(0, 1).size());
    }
  }

  @Test
  void feedbackOnAnUnknownGenerationFails() throws Exception {
    try (TrafficLog log = TrafficLog.open(dir)) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> log.recordFeedback(new Feedback("gen-nope", "", Rating.UP, "")).get());
      assertInstanceOf(UnknownGenerationException.class, e.getCause());
      assertEquals(0, log.counts().feedback());
    }
  }

  @Test
  void preferencesNeedRepliesToTheSamePrompt() throws Exception {
    String a = GenerationIds.next();
    String b = GenerationIds.next();
    String other = GenerationIds.next();
    try (TrafficLog log = TrafficLog.open(dir)) {
      log.append(generation(a, "same", "one"));
      log.append(generation(b, "same", "two"));
      log.append(generation(other, "different", "three"));
      assertFalse(log.recordPreference(new Preference(a, b, "c")).get());
      // flipping the choice replaces it
      assertTrue(log.recordPreference(new Preference(b, a, "c")).get());
      assertEquals(1, log.counts().preferences());
      PreferencePair pair = log.preferencePairs(0, 10).get(0);
      assertEquals(b, pair.chosen().id());
      assertEquals(a, pair.rejected().id());

      ExecutionException mismatch =
          assertThrows(
              ExecutionException.class,
              () -> log.recordPreference(new Preference(a, other, "c")).get());
      assertInstanceOf(PromptMismatchException.class, mismatch.getCause());
      ExecutionException unknown =
          assertThrows(
              ExecutionException.class,
              () -> log.recordPreference(new Preference(a, "gen-x", "c")).get());
      assertInstanceOf(UnknownGenerationException.class, unknown.getCause());
    }
  }

  @Test
  void countsSurviveReopening() throws Exception {
    String id = GenerationIds.next();
    try (TrafficLog log = TrafficLog.open(dir)) {
      log.append(generation(id, "q", "a"));
      log.recordFeedback(new Feedback(id, "", Rating.UP, "")).get();
    }
    try (TrafficLog log = TrafficLog.open(dir)) {
      assertEquals(new Counts(1, 1, 0), log.counts());
      String second = GenerationIds.next();
      log.append(generation(second, "q", "b"));
      log.recordFeedback(new Feedback(second, "", Rating.DOWN, "")).get();
      // seq keeps growing across restarts
      assertEquals(2, log.ratedGenerations(0, 10).get(1).seq());
    }
  }

  @Test
  void idsAreWellFormedAndDistinct() {
    String a = GenerationIds.next();
    assertTrue(GenerationIds.looksValid(a), a);
    assertFalse(a.equals(GenerationIds.next()));
    assertFalse(GenerationIds.looksValid("gen-short"));
  }

  /** A log of a few hundred generations (many pages), closed so that the WAL is merged back. */
  Path writeLogOfManyPages() throws Exception {
    try (TrafficLog log = TrafficLog.open(dir)) {
      List<CompletableFuture<Void>> writes = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        writes.add(
            log.append(generation(GenerationIds.next(), "prompt " + i, "reply ".repeat(40))));
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
    }
    Path file = dir.resolve("traffic.db");
    assertTrue(Files.size(file) > 40 * 4096, "the database spans many pages");
    return file;
  }

  @Test
  void aDamagedPageInTheMiddleIsReportedAtOpenWithTheFileAndWhatToDo() throws Exception {
    Path file = writeLogOfManyPages();
    // three pages of noise in the middle of the file, as a bad sector or a stray write would leave
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      byte[] noise = new byte[3 * 4096];
      new Random(7).nextBytes(noise);
      channel.write(ByteBuffer.wrap(noise), (channel.size() / 2) / 4096 * 4096);
    }
    TrafficLog.DamagedLogException e =
        assertThrows(TrafficLog.DamagedLogException.class, () -> TrafficLog.open(dir));
    assertTrue(e.getMessage().startsWith("traffic log " + file + " is damaged"), e.getMessage());
    assertTrue(e.getMessage().contains("integrity check failed"), e.getMessage());
    assertTrue(e.getMessage().contains("Restore it from a backup"), e.getMessage());
  }

  @Test
  void aFileThatIsNoLongerADatabaseIsReportedAsDamaged() throws Exception {
    Path file = writeLogOfManyPages();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[100]), 0); // the header, zeroed
    }
    TrafficLog.DamagedLogException e =
        assertThrows(TrafficLog.DamagedLogException.class, () -> TrafficLog.open(dir));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }
}
