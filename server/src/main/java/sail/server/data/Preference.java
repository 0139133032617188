package sail.server.data;

/**
 * "Reply {@code chosenId} is better than reply {@code rejectedId}", both answers to the same
 * prompt.
 */
public record Preference(String chosenId, String rejectedId, String clientId) {
  public Preference {
    if (chosenId == null || rejectedId == null) {
      throw new IllegalArgumentException("chosenId and rejectedId are required");
    }
    clientId = clientId == null ? "" : clientId;
  }
}
