package sail.server.data;

import java.security.SecureRandom;

/**
 * Server-issued generation ids: {@code "gen-"} followed by 128 random bits in lower-case base32 (26
 * characters). They are unguessable, so a client can only rate replies it was sent.
 */
public final class GenerationIds {
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();
  public static final String PREFIX = "gen-";

  private GenerationIds() {}

  public static String next() {
    byte[] bits = new byte[16];
    RANDOM.nextBytes(bits);
    StringBuilder id = new StringBuilder(PREFIX.length() + 26).append(PREFIX);
    int buffer = 0;
    int buffered = 0;
    for (byte b : bits) {
      buffer = (buffer << 8) | (b & 0xff);
      buffered += 8;
      while (buffered >= 5) {
        id.append(ALPHABET[(buffer >>> (buffered - 5)) & 31]);
        buffered -= 5;
      }
    }
    if (buffered > 0) {
      id.append(ALPHABET[(buffer << (5 - buffered)) & 31]);
    }
    return id.toString();
  }

  /** Cheap shape check, so obviously malformed ids are rejected before a database lookup. */
  public static boolean looksValid(String id) {
    if (id == null || id.length() != PREFIX.length() + 26 || !id.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < id.length(); i++) {
      char c = id.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) {
        return false;
      }
    }
    return true;
  }
}
