package sail.server.data;

/**
 * A rating of one generation by one client.
 *
 * @param generationId the rated reply
 * @param clientId the rater; empty for anonymous (all anonymous raters share one slot per reply)
 * @param rating up or down
 * @param comment free text, may be empty
 */
public record Feedback(String generationId, String clientId, Rating rating, String comment) {
  public Feedback {
    if (generationId == null || rating == null) {
      throw new IllegalArgumentException("generationId and rating are required");
    }
    clientId = clientId == null ? "" : clientId;
    comment = comment == null ? "" : comment;
  }
}
