package sail.server.inference;

/** The admission queue is full; retry after {@link #retryAfterSeconds()}. */
public final class OverloadedException extends Exception {
  private final int retryAfterSeconds;

  public OverloadedException(int queued, int capacity, int retryAfterSeconds) {
    super("server overloaded: " + queued + " requests queued (capacity " + capacity + ")");
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
