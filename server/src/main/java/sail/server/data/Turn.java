package sail.server.data;

/**
 * One turn of a logged prompt. The data layer keeps its own type so it depends on nothing but the
 * JDK and the database driver.
 *
 * @param role {@code "system"}, {@code "user"} or {@code "assistant"}
 * @param content the text of the turn
 */
public record Turn(String role, String content) {
  public Turn {
    if (role == null || content == null) {
      throw new IllegalArgumentException("role and content are required");
    }
  }
}
