package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentHistoryTest {
  static List<String> values(List<RecentHistory.Entry<String>> entries) {
    return entries.stream().map(RecentHistory.Entry::value).toList();
  }

  @Test
  void keepsTheNewestUpToCapacity() {
    RecentHistory<String> history = new RecentHistory<>(3, new AtomicLong());
    for (String v : List.of("a", "b", "c", "d", "e")) {
      history.add(v);
    }
    List<RecentHistory.Entry<String>> all = history.after(0);
    assertEquals(List.of("c", "d", "e"), values(all));
    assertEquals(List.of(3L, 4L, 5L), all.stream().map(RecentHistory.Entry::seq).toList());
  }

  @Test
  void afterReturnsOnlyWhatIsNew() {
    RecentHistory<String> history = new RecentHistory<>(10, new AtomicLong());
    history.add("a");
    long seen = history.add("b");
    history.add("c");
    assertEquals(List.of("c"), values(history.after(seen)));
    assertEquals(List.of(), values(history.after(3)));
  }

  @Test
  void historiesSharingACounterNumberInOneSequence() {
    AtomicLong numbers = new AtomicLong();
    RecentHistory<String> samples = new RecentHistory<>(10, numbers);
    RecentHistory<String> publishes = new RecentHistory<>(10, numbers);
    assertEquals(1, samples.add("s1"));
    assertEquals(2, publishes.add("p1"));
    assertEquals(3, samples.add("s2"));
    assertEquals(List.of("s2"), values(samples.after(2)));
    assertEquals(List.of(), values(publishes.after(2)));
  }

  @Test
  void rejectsAnEmptyBuffer() {
    assertThrows(IllegalArgumentException.class, () -> new RecentHistory<>(0, new AtomicLong()));
  }
}
