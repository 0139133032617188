package sail.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiKeysTest {
  static final String ADMIN_KEY = "admin-0123456789abcdef";
  static final String USER_KEY = "user-0123456789abcdef";

  @Test
  void linesCommentsAndCommas() {
    ApiKeys keys =
        ApiKeys.parse(
            "# team keys\n"
                + "admin "
                + ADMIN_KEY
                + "   # the operator\n"
                + "\n"
                + "user "
                + USER_KEY
                + ", user user-fedcba9876543210\n",
            "keys.txt");
    assertEquals(new Principal("keys.txt:2", Role.ADMIN), keys.lookup(ADMIN_KEY).orElseThrow());
    assertEquals(new Principal("keys.txt:4", Role.USER), keys.lookup(USER_KEY).orElseThrow());
    assertEquals(Role.USER, keys.lookup("user-fedcba9876543210").orElseThrow().role());
    assertTrue(keys.lookup("user-0123456789abcdeX").isEmpty());
    assertTrue(keys.lookup("").isEmpty());
    assertFalse(keys.isEmpty());
    assertTrue(ApiKeys.parse("# nothing yet\n", "keys.txt").isEmpty());
  }

  @Test
  void toStringCountsButNeverShowsKeys() {
    String text = ApiKeys.parse("admin " + ADMIN_KEY + "\nuser " + USER_KEY, "k").toString();
    assertEquals("ApiKeys[1 admin, 1 user]", text);
  }

  @Test
  void malformedLinesNameSourceAndLineButNotTheKey() {
    String secret = "s3cret-but-short";
    IllegalArgumentException role =
        assertThrows(
            IllegalArgumentException.class,
            () -> ApiKeys.parse("admin " + ADMIN_KEY + "\nroot " + USER_KEY, "/etc/sail/keys"));
    assertTrue(role.getMessage().startsWith("/etc/sail/keys:2: role must be user or admin"));

    IllegalArgumentException fields =
        assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse(USER_KEY, "keys.txt"));
    assertTrue(fields.getMessage().startsWith("keys.txt:1: expected 'ROLE KEY'"));

    IllegalArgumentException shortKey =
        assertThrows(
            IllegalArgumentException.class, () -> ApiKeys.parse("\n\nuser short", "keys.txt"));
    assertTrue(shortKey.getMessage().startsWith("keys.txt:3: the key must be at least 16"));

    IllegalArgumentException badChars =
        assertThrows(
            IllegalArgumentException.class,
            () -> ApiKeys.parse("user " + secret + "\"quote", "keys.txt"));
    assertFalse(badChars.getMessage().contains(secret), badChars.getMessage());
  }

  @Test
  void aKeyDeclaredTwiceIsAnError() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ApiKeys.parse("user " + USER_KEY + "\nadmin " + USER_KEY, "keys.txt"));
    assertEquals("keys.txt:2: the same key is already declared at keys.txt:1", e.getMessage());
  }

  @Test
  void adminGrantsUserButNotTheOtherWay() {
    assertTrue(Role.ADMIN.grants(Role.USER));
    assertTrue(Role.ADMIN.grants(Role.ADMIN));
    assertTrue(Role.USER.grants(Role.USER));
    assertFalse(Role.USER.grants(Role.ADMIN));
  }
}
