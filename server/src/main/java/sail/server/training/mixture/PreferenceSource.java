package sail.server.training.mixture;

/**
 * A fixed, indexable collection of labelled pairs that the {@link MixtureSampler} draws dataset
 * rows from (offline DPO and DDP). Implementations must return the same pair for the same index for
 * as long as a training run lasts, so that a restored cursor continues where it stopped.
 */
public interface PreferenceSource {
  /** Where the pairs come from, for messages and metrics (e.g. the file name). */
  String name();

  int size();

  /** The pair at {@code index}, 0 ≤ index &lt; {@link #size()}. */
  PreferencePair get(int index);
}
