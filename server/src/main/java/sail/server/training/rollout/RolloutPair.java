package sail.server.training.rollout;

import java.util.Objects;
import sail.server.inference.FinishReason;
import sail.server.model.SequenceScorer;

/**
 * Two replies sampled from the policy for one prompt, kept together with that prompt (the authors'
 * code could pair outputs with the wrong prompt; sail-objective.md, section 5).
 *
 * @param index position of the prompt in the list it was generated for
 * @param prompt the prompt text
 * @param promptTokens the prompt ids the model was conditioned on (already cut to fit)
 * @param first one reply
 * @param second the other reply
 * @param modelVersion the policy version that generated both replies
 */
public record RolloutPair(
    int index, String prompt, int[] promptTokens, Reply first, Reply second, long modelVersion) {

  /**
   * One sampled reply. Kept in token space: the ids are scored as generated, never re-encoded from
   * text (a byte-level reply need not be valid UTF-8).
   *
   * @param text decoded text (for reward models, people and guards)
   * @param tokens generated ids, ending with end-of-turn when the model stopped by itself
   * @param sampledLogProb summed log-probability of the ids under the model that sampled them
   *     (before temperature)
   * @param finishReason why generation stopped
   */
  public record Reply(String text, int[] tokens, double sampledLogProb, FinishReason finishReason) {
    public Reply {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(tokens, "tokens");
    }
  }

  public RolloutPair {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(promptTokens, "promptTokens");
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
  }

  /** The first reply as a scored example (prompt ids + reply ids). */
  public SequenceScorer.Example firstExample() {
    return new SequenceScorer.Example(promptTokens, first.tokens());
  }

  /** The second reply as a scored example. */
  public SequenceScorer.Example secondExample() {
    return new SequenceScorer.Example(promptTokens, second.tokens());
  }
}
