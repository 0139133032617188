package sail.server.training;

import java.util.List;
import sail.server.inference.ChatMessage;
import sail.server.model.SequenceScorer;
import sail.server.model.Tokenizer;

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

  /** The scored example of {@code reply} to {@code prompt}. */
  public static SequenceScorer.Example example(Tokenizer tokenizer, String prompt, String reply) {
    return new SequenceScorer.Example(prompt(tokenizer, prompt), tokenizer.encodeReply(reply));
  }
}
