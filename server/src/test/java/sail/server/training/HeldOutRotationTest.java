package sail.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import sail.server.training.mixture.FeedbackPair;

class HeldOutRotationTest {
  private static FeedbackPair pair(String source, long id) {
    return new FeedbackPair(
        source, id, "p" + id, "c" + id, "r" + id, 0, Instant.ofEpochSecond(id), true, true);
  }

  /** The most recent {@code count} pairs of one source ending at id {@code last}. */
  private static List<FeedbackPair> recent(String source, long last, int count) {
    return LongStream.rangeClosed(last - count + 1, last).mapToObj(id -> pair(source, id)).toList();
  }

  private static List<Long> ids(List<FeedbackPair> pairs, String source) {
    return pairs.stream().filter(p -> p.source().equals(source)).map(FeedbackPair::id).toList();
  }

  @Test
  void fillsAtOnceThenTurnsOverAFewPairsPerAttempt() {
    HeldOutRotation rotation = new HeldOutRotation(8, 2);
    // not full yet: every offered pair joins
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), ids(rotation.next(recent("choice", 5, 5)), "choice"));
    // filling up: the newest of the offered pairs fill the share, the oldest give way
    assertEquals(
        LongStream.rangeClosed(3, 10).boxed().toList(),
        ids(rotation.next(recent("choice", 10, 8)), "choice"));
    // full: of eight new pairs (11-18) only the two newest join, the two oldest leave
    List<Long> expected = new ArrayList<>(LongStream.rangeClosed(5, 10).boxed().toList());
    expected.addAll(List.of(17L, 18L));
    assertEquals(expected, ids(rotation.next(recent("choice", 18, 8)), "choice"));
    // the same offer again: two more of its pairs join, until the set is the offer itself
    assertEquals(
        List.of(7L, 8L, 9L, 10L, 15L, 16L, 17L, 18L),
        ids(rotation.next(recent("choice", 18, 8)), "choice"));
    assertEquals(
        List.of(9L, 10L, 13L, 14L, 15L, 16L, 17L, 18L),
        ids(rotation.next(recent("choice", 18, 8)), "choice"));
    List<Long> offer = LongStream.rangeClosed(11, 18).boxed().toList();
    assertEquals(offer, ids(rotation.next(recent("choice", 18, 8)), "choice"));
    // nothing new: the set stays as it is
    assertEquals(offer, ids(rotation.next(recent("choice", 18, 8)), "choice"));
  }

  @Test
  void eachSourceKeepsItsShareAndItsTurnover() {
    HeldOutRotation rotation = new HeldOutRotation(8, 4);
    List<FeedbackPair> offered = new ArrayList<>(recent("choice", 4, 4));
    offered.addAll(recent("rating", 4, 4));
    rotation.next(offered);
    // many new choices and one new rating pair: two choices join (half the turnover), one rating
    List<FeedbackPair> next = new ArrayList<>(recent("choice", 40, 4));
    next.addAll(recent("rating", 5, 4));
    List<FeedbackPair> set = rotation.next(next);
    assertEquals(List.of(3L, 4L, 39L, 40L), ids(set, "choice"));
    assertEquals(List.of(2L, 3L, 4L, 5L), ids(set, "rating"));
    assertEquals(8, set.size());
  }

  @Test
  void rejectsAnEmptyLimitOrTurnover() {
    assertThrows(IllegalArgumentException.class, () -> new HeldOutRotation(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new HeldOutRotation(8, 0));
  }
}
