package sail.server.security;

import java.util.Locale;

/**
 * What an API key may do. {@link #ADMIN} includes everything {@link #USER} may do, so a check asks
 * whether the caller's role {@link #grants} the role a method needs.
 */
public enum Role {
  /** Generate, feedback, preference, model info. */
  USER,
  /**
   * Everything of {@link #USER}, plus training control, rollback, checkpoints, evaluation, status.
   */
  ADMIN;

  /** Whether a caller with this role may call something that needs {@code required}. */
  public boolean grants(Role required) {
    return compareTo(required) >= 0;
  }

  /** The role's name as written in key files and messages: {@code user} or {@code admin}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code user} or {@code admin}; {@code null} for anything else. */
  static Role fromLabel(String label) {
    for (Role role : values()) {
      if (role.label().equals(label)) {
        return role;
      }
    }
    return null;
  }
}
