package sail.server.model;

import java.nio.file.Path;

/** A checkpoint could not be read or written; the message names the offending file. */
public final class CheckpointException extends RuntimeException {
  public CheckpointException(Path file, String problem, Throwable cause) {
    super("checkpoint file " + file + ": " + problem, cause);
  }

  public CheckpointException(Path file, String problem) {
    this(file, problem, null);
  }
}
