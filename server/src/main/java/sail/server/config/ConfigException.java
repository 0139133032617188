package sail.server.config;

/** The configuration is unusable; the message names the key and what would fix it. */
public final class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
