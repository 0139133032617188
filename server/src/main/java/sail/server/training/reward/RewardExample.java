package sail.server.training.reward;

import java.util.Objects;

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
  }
}
