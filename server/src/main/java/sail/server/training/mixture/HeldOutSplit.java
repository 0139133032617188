package sail.server.training.mixture;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which people's labels are held out of training, so that models can be measured on labels they
 * never fitted: one label in {@code every}, chosen by a hash of its source and id. The reward model
 * (its accuracy) and the policy (the held-out accuracy publish guard) hold out the same pairwise
 * choices, so neither trains on what the other is measured by.
 *
 * @param every one label in this many is held out; below 2, none is
 */
public record HeldOutSplit(int every) {
  /** One in eight: enough to measure on within minutes of traffic, little lost to training. */
  public static final HeldOutSplit DEFAULT = new HeldOutSplit(8);

  /** Nothing held out. */
  public static final HeldOutSplit NONE = new HeldOutSplit(0);

  /** Whether label {@code id} of {@code source} is held out. */
  public boolean holdsOut(String source, long id) {
    return every >= 2 && Math.floorMod(Seeds.mix(source.hashCode(), id), every) == 0;
  }

  /**
   * The most recent held-out labels to measure on, at most {@code limit} in all, shared evenly
   * among the sources so that a busy source does not crowd a quiet one out.
   *
   * @param bySource each source's held-out labels in id order (oldest first)
   */
  public static <T> List<T> mostRecent(Map<String, List<T>> bySource, int limit) {
    int share = Math.max(1, limit / Math.max(1, bySource.size()));
    List<T> recent = new ArrayList<>();
    for (List<T> labels : bySource.values()) {
      recent.addAll(labels.subList(Math.max(0, labels.size() - share), labels.size()));
    }
    return List.copyOf(
        recent.size() > limit ? recent.subList(recent.size() - limit, recent.size()) : recent);
  }
}
