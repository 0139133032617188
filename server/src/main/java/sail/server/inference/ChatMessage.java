package sail.server.inference;

/**
 * One turn of a conversation.
 *
 * @param role who speaks
 * @param content the text of the turn
 */
public record ChatMessage(Role role, String content) {

  /** The speaker of a turn; the tokenizer has one marker token per role. */
  public enum Role {
    SYSTEM,
    USER,
    ASSISTANT
  }

  public ChatMessage {
    if (role == null || content == null) {
      throw new IllegalArgumentException("role and content are required");
    }
  }

  public static ChatMessage user(String content) {
    return new ChatMessage(Role.USER, content);
  }
}
