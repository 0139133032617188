package sail.server.training.mixture;

import java.util.Objects;

/**
 * One labelled pair of replies to a prompt, as text.
 *
 * @param id stable key of the pair within its source (the reference log-prob cache uses it)
 * @param prompt the user's message
 * @param chosen the preferred reply y_w
 * @param rejected the dispreferred reply y_l
 * @param chosenEnded whether the chosen reply ended its turn (the model emitted end-of-turn); a
 *     reply cut off by {@code max_tokens} did not, and is scored without an end-of-turn token —
 *     scoring what was sampled, not a turn end the model never chose
 * @param rejectedEnded the same for the rejected reply
 */
public record PreferencePair(
    String id,
    String prompt,
    String chosen,
    String rejected,
    boolean chosenEnded,
    boolean rejectedEnded) {
  public PreferencePair {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(chosen, "chosen");
    Objects.requireNonNull(rejected, "rejected");
  }

  /** A pair of complete replies (each ended its turn). */
  public PreferencePair(String id, String prompt, String chosen, String rejected) {
    this(id, prompt, chosen, rejected, true, true);
  }
}
