package sail.client;

/** A server address written {@code HOST:PORT} (IPv6 hosts in brackets: {@code [::1]:8080}). */
public record Target(String host, int port) {

  public static Target parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("target must be HOST:PORT, got '" + text + "'");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("target port must be a number, got '" + text + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("target port must be in [1, 65535], got " + port);
    }
    return new Target(host, port);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
