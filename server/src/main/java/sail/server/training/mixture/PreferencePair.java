package sail.server.training.mixture;

import java.util.Objects;

/**
 * One labelled pair of replies to a prompt, as text.
 *
 * @param id stable key of the pair within its source (the reference log-prob cache uses it)
 * @param prompt the user's message
 * @param chosen the preferred reply y_w
 * @param rejected the dispreferred reply y_l
 */
public record PreferencePair(String id, String prompt, String chosen, String rejected) {
  public PreferencePair {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(chosen, "chosen");
    Objects.requireNonNull(rejected, "rejected");
  }
}
