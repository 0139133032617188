package sail.server.training.mixture;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** A thread-safe {@link FeedbackPairs} held in memory, ids assigned from 1. */
public final class InMemoryFeedbackPairs implements FeedbackPairs {
  private final ConcurrentSkipListMap<Long, FeedbackPair> pairs = new ConcurrentSkipListMap<>();
  private final AtomicLong lastId = new AtomicLong();

  /** Appends a labelled pair of replies that both ended their turn; returns it with its new id. */
  public FeedbackPair add(
      String prompt, String chosen, String rejected, long modelVersion, Instant createdAt) {
    FeedbackPair pair =
        new FeedbackPair(
            "memory",
            lastId.incrementAndGet(),
            prompt,
            chosen,
            rejected,
            modelVersion,
            createdAt,
            true,
            true);
    pairs.put(pair.id(), pair);
    return pair;
  }

  @Override
  public List<FeedbackPair> after(long afterId, int limit) {
    List<FeedbackPair> result = new ArrayList<>(Math.min(limit, 64));
    for (Map.Entry<Long, FeedbackPair> entry : pairs.tailMap(afterId, false).entrySet()) {
      if (result.size() >= limit) {
        break;
      }
      result.add(entry.getValue());
    }
    return result;
  }

  public int size() {
    return pairs.size();
  }
}
