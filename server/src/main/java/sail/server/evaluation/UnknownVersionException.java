package sail.server.evaluation;

/**
 * An evaluation named a model version that cannot be read: neither served, the reference, nor kept
 * on disk (or kept but corrupt).
 */
public final class UnknownVersionException extends RuntimeException {
  private final long version;

  public UnknownVersionException(long version, String message) {
    super(message);
    this.version = version;
  }

  public long version() {
    return version;
  }
}
