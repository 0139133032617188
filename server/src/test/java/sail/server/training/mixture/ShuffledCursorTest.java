package sail.server.training.mixture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShuffledCursorTest {
  @Test
  void everyPassIsAPermutationAndPassesDiffer() {
    ShuffledCursor cursor = new ShuffledCursor(7, 20);
    int[] first = IntStream.range(0, 20).map(i -> cursor.next()).toArray();
    int[] second = IntStream.range(0, 20).map(i -> cursor.next()).toArray();
    int[] identity = IntStream.range(0, 20).toArray();
    assertArrayEquals(identity, IntStream.of(first).sorted().toArray());
    assertArrayEquals(identity, IntStream.of(second).sorted().toArray());
    assertNotEquals(Arrays.toString(first), Arrays.toString(second));
    assertEquals(new ShuffledCursor.Position(1, 20), cursor.position());
  }

  @Test
  void aRestoredPositionContinuesIdentically() {
    ShuffledCursor original = new ShuffledCursor(3, 9);
    for (int i = 0; i < 13; i++) {
      original.next();
    }
    ShuffledCursor.Position saved = original.position();
    int[] expected = IntStream.range(0, 25).map(i -> original.next()).toArray();

    ShuffledCursor resumed = new ShuffledCursor(3, 9);
    resumed.restore(saved);
    int[] actual = IntStream.range(0, 25).map(i -> resumed.next()).toArray();
    assertArrayEquals(expected, actual);
  }
}
