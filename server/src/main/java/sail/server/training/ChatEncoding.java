package sail.server.training;

import java.util.List;
import sail.server.inference.ChatMessage;
import sail.server.model.SequenceScorer;
import sail.server.model.Tokenizer;
import sail.server.training.mixture.PreferencePair;

/**
 * How a (prompt, reply) text pair becomes token ids for training: the prompt as a one-message chat
 * ending with the assistant marker, the reply as the model emits it (text, then end-of-turn).
 * Serving lays out a single-turn request the same way, so training scores what serving samples.
 */
public final class ChatEncoding {
  private ChatEncoding() {}

  /** The ids of a one-message user prompt. */
  public static int[] prompt(Tokenizer tokenizer, String prompt) {
    return tokenizer.encodeChatPrompt(List.of(ChatMessage.user(prompt)));
  }

  /** The scored example of {@code reply} to {@code prompt}, a reply that ended its turn. */
  public static SequenceScorer.Example example(Tokenizer tokenizer, String prompt, String reply) {
    return example(tokenizer, prompt, reply, true);
  }

  /**
   * The scored example of {@code reply} to {@code prompt}.
   *
   * @param ended whether the model ended the turn after the reply; false for a reply cut off by
   *     {@code max_tokens}, which is scored without the end-of-turn token it never emitted
   */
  public static SequenceScorer.Example example(
      Tokenizer tokenizer, String prompt, String reply, boolean ended) {
    return new SequenceScorer.Example(
        prompt(tokenizer, prompt), ended ? tokenizer.encodeReply(reply) : tokenizer.encode(reply));
  }

  /** The chosen reply of {@code pair} as a scored example (its prompt: {@code prompt}). */
  public static SequenceScorer.Example chosen(
      Tokenizer tokenizer, String prompt, PreferencePair pair) {
    return example(tokenizer, prompt, pair.chosen(), pair.chosenEnded());
  }

  /** The rejected reply of {@code pair} as a scored example. */
  public static SequenceScorer.Example rejected(
      Tokenizer tokenizer, String prompt, PreferencePair pair) {
    return example(tokenizer, prompt, pair.rejected(), pair.rejectedEnded());
  }
}
