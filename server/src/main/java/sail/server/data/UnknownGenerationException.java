package sail.server.data;

/** Feedback or a preference named a generation the log does not hold. */
public final class UnknownGenerationException extends RuntimeException {
  private final String generationId;

  public UnknownGenerationException(String generationId) {
    super("no logged generation with id '" + generationId + "'");
    this.generationId = generationId;
  }

  public String generationId() {
    return generationId;
  }
}
