package sail.server.training.reward;

import java.util.List;
import java.util.Objects;
import sail.server.training.mixture.PreferencePair;

/** One piece of human feedback the reward model learns from. */
public sealed interface RewardExample {
  /**
   * A 👍 or 👎 on one reply: binary cross-entropy on σ(r).
   *
   * @param liked true for 👍
   */
  record Rating(String prompt, String reply, boolean liked) implements RewardExample {
    public Rating {
      Objects.requireNonNull(prompt, "prompt");
      Objects.requireNonNull(reply, "reply");
    }
  }

  /** A choice between two replies to the same prompt: Bradley–Terry, −log σ(r_w − r_l). */
  record Comparison(String prompt, String chosen, String rejected) implements RewardExample {
    public Comparison {
      Objects.requireNonNull(prompt, "prompt");
      Objects.requireNonNull(chosen, "chosen");
      Objects.requireNonNull(rejected, "rejected");
    }

    /** The choice an offline preference pair records. */
    public static Comparison of(PreferencePair pair) {
      return new Comparison(pair.prompt(), pair.chosen(), pair.rejected());
    }

    /** The choices offline preference pairs record, in order. */
    public static List<RewardExample> of(List<PreferencePair> pairs) {
      return pairs.stream().<RewardExample>map(Comparison::of).toList();
    }
  }
}
