package sail.server.data;

/** A preference compared replies that answer different prompts (or a reply with itself). */
public final class PromptMismatchException extends RuntimeException {
  public PromptMismatchException(String message) {
    super(message);
  }
}
