package sail.server.training.reward;

import java.util.Objects;

/** A reply to a prompt, as text: what a {@link RewardSource} judges. */
public record PromptReply(String prompt, String reply) {
  public PromptReply {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(reply, "reply");
  }
}
