package sail.server.training.mixture;

import java.time.Instant;
import java.util.Objects;

/**
 * A pair of logged replies to the same prompt, labelled by a person: a pairwise choice, or a 👍
 * reply against a 👎 reply (sail-objective.md, end of section 3). Trained as a DPR row whose reward
 * model is the person.
 *
 * @param source the log stream the pair comes from (e.g. {@code choice}, {@code rating}); ids are
 *     unique within a source
 * @param id increasing key in its source; the sampler's cursor is the last id it read
 * @param prompt the user's message both replies answer
 * @param chosen the reply the person preferred
 * @param rejected the other reply
 * @param modelVersion the policy version that generated the replies (the older one if they differ)
 * @param createdAt when the label was given
 * @param chosenEnded whether the chosen reply ended its turn (false: cut off by max_tokens)
 * @param rejectedEnded whether the rejected reply ended its turn
 */
public record FeedbackPair(
    String source,
    long id,
    String prompt,
    String chosen,
    String rejected,
    long modelVersion,
    Instant createdAt,
    boolean chosenEnded,
    boolean rejectedEnded) {
  public FeedbackPair {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(chosen, "chosen");
    Objects.requireNonNull(rejected, "rejected");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** The same pair as a {@link PreferencePair} keyed {@code SOURCE#ID}. */
  public PreferencePair asPreferencePair() {
    return new PreferencePair(
        source + "#" + id, prompt, chosen, rejected, chosenEnded, rejectedEnded);
  }
}
