package sail.server.training.mixture;

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
}
