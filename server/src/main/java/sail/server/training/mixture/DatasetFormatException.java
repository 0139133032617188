package sail.server.training.mixture;

/** A row of a preference dataset that cannot be used; the message names the file and line. */
public final class DatasetFormatException extends RuntimeException {
  private final String source;
  private final int line;

  public DatasetFormatException(String source, int line, String problem) {
    super(source + " line " + line + ": " + problem);
    this.source = source;
    this.line = line;
  }

  /** The file (or other source) the row came from. */
  public String source() {
    return source;
  }

  /** 1-based line number of the bad row. */
  public int line() {
    return line;
  }
}
