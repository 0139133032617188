package sail.server.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Whether an address or host name stays on this machine. */
public final class Loopback {
  private Loopback() {}

  /**
   * For a bind address: literal loopback addresses and names that resolve to one ({@code
   * localhost}). A name that does not resolve counts as not loopback.
   */
  public static boolean isLoopbackAddress(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * For a {@code Host} header: {@code localhost}, {@code *.localhost} or a loopback IP literal
   * (IPv6 with or without brackets). Other names are not resolved: the point is to refuse names an
   * attacker controls even when they currently resolve to 127.0.0.1 (DNS rebinding).
   */
  public static boolean isLoopbackName(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    // only IP literals go to InetAddress, which then does no lookup
    return h.matches("[0-9.]+|[0-9a-f:.]*:[0-9a-f:.]*") && isLoopbackAddress(h);
  }
}
