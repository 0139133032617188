package sail.server.task;

import java.io.IOException;

/**
 * Bytes that do not follow R's serialization or lazy-load database format as this reader knows it.
 */
public final class RFormatException extends IOException {
  public RFormatException(String message) {
    super(message);
  }
}
