package sail.server.training.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import sail.server.inference.FinishReason;

class RolloutCandidatesTest {
  static RolloutCandidates of(int replies) {
    List<RolloutPair.Reply> list = new ArrayList<>();
    for (int i = 0; i < replies; i++) {
      list.add(new RolloutPair.Reply("reply " + i, new int[] {i}, -i, FinishReason.STOP));
    }
    return new RolloutCandidates(0, "p", new int[] {7}, list, 3);
  }

  @Test
  void theWidestPairIsTheHighestThenTheLowestScoredReply() {
    RolloutCandidates four = of(4);
    assertArrayEquals(new int[] {2, 1}, four.widest(new double[] {0.1, -2, 3, 0.5}));
    // ties: the first of the highest and the first of the lowest
    assertArrayEquals(new int[] {1, 0}, four.widest(new double[] {-1, 2, 2, -1}));
    // nothing to tell apart: the first two, as sampled
    assertArrayEquals(new int[] {0, 1}, four.widest(new double[] {1, 1, 1, 1}));
    RolloutPair pair = four.pair(2, 1);
    assertEquals("reply 2", pair.first().text());
    assertEquals("reply 1", pair.second().text());
    assertEquals(3, pair.modelVersion());
  }

  @Test
  void aPairNeedsTwoDifferentReplies() {
    assertThrows(IllegalArgumentException.class, () -> of(1));
    assertThrows(IllegalArgumentException.class, () -> of(3).pair(1, 1));
    assertThrows(IllegalArgumentException.class, () -> of(3).widest(new double[] {1, 2}));
  }
}
