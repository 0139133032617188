package sail.server.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The server's API keys and their roles. Only SHA-256 digests of the keys are kept, so neither a
 * heap dump nor {@link #toString()} reveals a key; a presented key is hashed and compared with
 * every digest by {@link MessageDigest#isEqual}, which takes the same time wherever the bytes
 * differ, and the loop never stops early, so timing does not tell how close a guess was.
 *
 * <p>Text format (a key file, or the {@code SAIL_API_KEYS} environment variable): one {@code role
 * key} entry per line, role {@code user} or {@code admin}; {@code #} starts a comment; blank lines
 * are skipped; commas also separate entries, so an environment variable can hold several on one
 * line. Keys are at least {@value #MIN_KEY_LENGTH} characters of {@code A-Z a-z 0-9 . _ ~ + / = -}
 * (what {@code openssl rand -hex 32} or {@code -base64 32} prints).
 */
public final class ApiKeys {
  /** Short keys can be guessed; 16 characters of hex are 64 bits. */
  public static final int MIN_KEY_LENGTH = 16;

  /** No keys: access control is off. */
  public static final ApiKeys NONE = new ApiKeys(List.of());

  private static final Pattern KEY_CHARS = Pattern.compile("[A-Za-z0-9._~+/=-]+");

  private record Entry(String id, Role role, byte[] digest) {}

  private final List<Entry> entries;

  private ApiKeys(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Parses key entries.
   *
   * @param source names the text in messages and principal ids, e.g. the file name
   * @throws IllegalArgumentException naming {@code source} and the line of a malformed entry (never
   *     the key itself), or when a key appears twice
   */
  public static ApiKeys parse(String text, String source) {
    List<Entry> entries = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      for (String entry : line.split(",")) {
        if (!entry.isBlank()) {
          entries.add(entry(entry.trim(), source + ":" + (i + 1), entries));
        }
      }
    }
    return new ApiKeys(entries);
  }

  private static Entry entry(String text, String where, List<Entry> earlier) {
    String[] parts = text.split("\\s+");
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          where + ": expected 'ROLE KEY' (role user or admin), got " + parts.length + " fields");
    }
    Role role = Role.fromLabel(parts[0]);
    if (role == null) {
      throw new IllegalArgumentException(
          where + ": role must be user or admin, got '" + parts[0] + "'");
    }
    String key = parts[1];
    if (key.length() < MIN_KEY_LENGTH || !KEY_CHARS.matcher(key).matches()) {
      // the key is not echoed: a malformed line may still hold a real secret
      throw new IllegalArgumentException(
          where
              + ": the key must be at least "
              + MIN_KEY_LENGTH
              + " characters of A-Z a-z 0-9 . _ ~ + / = - (e.g. from 'openssl rand -hex 32')");
    }
    byte[] digest = sha256(key);
    for (Entry e : earlier) {
      if (MessageDigest.isEqual(e.digest, digest)) {
        throw new IllegalArgumentException(where + ": the same key is already declared at " + e.id);
      }
    }
    return new Entry(where, role, digest);
  }

  /** Whether any key is configured; without keys the server allows every request. */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The principal whose key is {@code presented}, if any. */
  public Optional<Principal> lookup(String presented) {
    byte[] digest = sha256(presented);
    Entry match = null;
    for (Entry e : entries) {
      // no early exit: every lookup compares against every key
      if (MessageDigest.isEqual(e.digest, digest)) {
        match = e;
      }
    }
    return match == null ? Optional.empty() : Optional.of(new Principal(match.id, match.role));
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Counts only: a key never appears in logs or config dumps. */
  @Override
  public String toString() {
    long admins = entries.stream().filter(e -> e.role == Role.ADMIN).count();
    return "ApiKeys[" + admins + " admin, " + (entries.size() - admins) + " user]";
  }
}
