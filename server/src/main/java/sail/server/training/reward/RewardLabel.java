package sail.server.training.reward;

import java.util.Objects;

/**
 * A piece of logged feedback for the reward model, keyed in its log stream.
 *
 * @param source the stream ({@code rating} or {@code choice}); ids are unique within a source
 * @param id increasing key in its source
 * @param example what the person said
 */
public record RewardLabel(String source, long id, RewardExample example) {
  public RewardLabel {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(example, "example");
  }
}
