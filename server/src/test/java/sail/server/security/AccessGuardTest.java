package sail.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AccessGuardTest {
  static final ApiKeys KEYS =
      ApiKeys.parse("user " + ApiKeysTest.USER_KEY + "\nadmin " + ApiKeysTest.ADMIN_KEY, "keys");
  static final Optional<Role> USER = Optional.of(Role.USER);
  static final Optional<Role> ADMIN = Optional.of(Role.ADMIN);

  @Test
  void keysAndRoles() {
    AccessGuard guard = new AccessGuard(KEYS, null);
    assertEquals(
        new Verdict.Unauthenticated(
            "missing API key: send the header 'authorization: Bearer <key>'"),
        guard.check(USER, "x", null, "1.2.3.4"));
    assertInstanceOf(
        Verdict.Unauthenticated.class,
        guard.check(USER, "x", "Basic " + ApiKeysTest.USER_KEY, "1.2.3.4"));
    assertEquals(
        new Verdict.Unauthenticated("unknown API key"),
        guard.check(USER, "x", "Bearer user-0123456789abcdeF", "1.2.3.4"));
    assertEquals(
        new Verdict.Allowed(new Principal("keys:1", Role.USER)),
        guard.check(USER, "x", "bearer " + ApiKeysTest.USER_KEY, "1.2.3.4"));
    assertEquals(
        new Verdict.Forbidden(
            "POST /v1/admin/rollback needs a key with role admin; this key has role user"),
        guard.check(ADMIN, "POST /v1/admin/rollback", "Bearer " + ApiKeysTest.USER_KEY, "1.2.3.4"));
    assertInstanceOf(
        Verdict.Allowed.class,
        guard.check(ADMIN, "x", "Bearer " + ApiKeysTest.ADMIN_KEY, "1.2.3.4"));
    // open targets need no key
    assertInstanceOf(Verdict.Allowed.class, guard.check(Optional.empty(), "x", null, "1.2.3.4"));
  }

  @Test
  void withoutKeysEveryCallerIsAdminCountedByAddress() {
    AtomicLong now = new AtomicLong();
    AccessGuard guard = new AccessGuard(ApiKeys.NONE, new RateLimiter(1, 1, now::get));
    assertEquals(
        new Verdict.Allowed(new Principal("address:127.0.0.1", Role.ADMIN)),
        guard.check(ADMIN, "x", null, "127.0.0.1"));
    assertEquals(
        new Verdict.RateLimited("rate limit exceeded; retry in 1 s", 1),
        guard.check(USER, "x", null, "127.0.0.1"));
    assertInstanceOf(Verdict.Allowed.class, guard.check(USER, "x", null, "127.0.0.2"));
  }

  @Test
  void rateLimitIsPerKeyAndSkipsOpenTargets() {
    AtomicLong now = new AtomicLong();
    AccessGuard guard = new AccessGuard(KEYS, new RateLimiter(1, 2, now::get));
    String user = "Bearer " + ApiKeysTest.USER_KEY;
    assertInstanceOf(Verdict.Allowed.class, guard.check(USER, "x", user, "a"));
    assertInstanceOf(Verdict.Allowed.class, guard.check(USER, "x", user, "b"));
    assertInstanceOf(Verdict.RateLimited.class, guard.check(USER, "x", user, "c"));
    assertInstanceOf(
        Verdict.Allowed.class, guard.check(USER, "x", "Bearer " + ApiKeysTest.ADMIN_KEY, "c"));
    for (int i = 0; i < 5; i++) {
      assertInstanceOf(Verdict.Allowed.class, guard.check(Optional.empty(), "x", user, "c"));
    }
    // refused requests (no key) do not spend the key's tokens
    now.addAndGet(1_000_000_000L);
    assertInstanceOf(Verdict.Unauthenticated.class, guard.check(USER, "x", null, "c"));
    assertInstanceOf(Verdict.Allowed.class, guard.check(USER, "x", user, "c"));
  }
}
