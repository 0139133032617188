package sail.server.training.mixture;

import java.util.List;

/**
 * A fixed, indexable collection of prompts for rows whose replies are sampled fresh from the policy
 * (DPP and DPR): the dataset's prompts, or a snapshot of logged traffic. Same contract as {@link
 * PreferenceSource}: a stable index → prompt mapping for the length of a run.
 */
public interface PromptSource {
  int size();

  /** The prompt at {@code index}, 0 ≤ index &lt; {@link #size()}. */
  String get(int index);

  /** A source over a fixed list (copied). */
  static PromptSource of(List<String> prompts) {
    List<String> copy = List.copyOf(prompts);
    return new PromptSource() {
      @Override
      public int size() {
        return copy.size();
      }

      @Override
      public String get(int index) {
        return copy.get(index);
      }
    };
  }
}
