package sail.server.inference;

import java.util.List;

/**
 * A request for one reply. Several candidates (n &gt; 1) are several requests with different seeds.
 *
 * @param messages the conversation so far; the model writes the next assistant turn
 * @param params sampling parameters of this sequence
 */
public record GenerationRequest(List<ChatMessage> messages, SamplingParams params) {

  public GenerationRequest {
    messages = List.copyOf(messages);
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("at least one message is required");
    }
  }

  /** A single user turn, as used by plain completion requests. */
  public static GenerationRequest ofPrompt(String prompt, SamplingParams params) {
    return new GenerationRequest(List.of(ChatMessage.user(prompt)), params);
  }
}
