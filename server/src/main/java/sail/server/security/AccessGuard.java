package sail.server.security;

import java.util.Optional;

/**
 * Decides whether one request may proceed: authenticates its bearer key, checks the role the target
 * needs ({@link AccessPolicy}) and counts it against the caller's rate limit. Transport-neutral:
 * the gRPC and HTTP edges pass in plain strings and translate the {@link Verdict}.
 */
public final class AccessGuard {
  private static final String BEARER = "bearer ";

  private final ApiKeys keys;
  private final RateLimiter limiter;

  /**
   * @param keys the configured keys; {@link ApiKeys#NONE} allows every request
   * @param limiter per-principal rate limit, or {@code null} for none
   */
  public AccessGuard(ApiKeys keys, RateLimiter limiter) {
    this.keys = keys;
    this.limiter = limiter;
  }

  /** Whether requests must carry a key. */
  public boolean keysRequired() {
    return !keys.isEmpty();
  }

  /**
   * @param required the role the target needs; empty means open (never rate limited either)
   * @param target the method or route, for messages
   * @param authorization the {@code authorization} header or metadata value, or {@code null}
   * @param clientAddress the peer's address; identifies the caller when no keys are configured
   */
  public Verdict check(
      Optional<Role> required, String target, String authorization, String clientAddress) {
    if (required.isEmpty()) {
      return new Verdict.Allowed(new Principal("address:" + clientAddress, Role.USER));
    }
    Principal principal;
    if (keys.isEmpty()) {
      // no keys: the server only listens on loopback (or the operator accepted the risk)
      principal = new Principal("address:" + clientAddress, Role.ADMIN);
    } else {
      if (authorization == null || authorization.isBlank()) {
        return new Verdict.Unauthenticated(
            "missing API key: send the header 'authorization: Bearer <key>'");
      }
      if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        return new Verdict.Unauthenticated(
            "the authorization header must be 'Bearer <key>' (other schemes are not accepted)");
      }
      Optional<Principal> found = keys.lookup(authorization.substring(BEARER.length()).trim());
      if (found.isEmpty()) {
        return new Verdict.Unauthenticated("unknown API key");
      }
      principal = found.get();
      if (!principal.role().grants(required.get())) {
        return new Verdict.Forbidden(
            target
                + " needs a key with role "
                + required.get().label()
                + "; this key has role "
                + principal.role().label());
      }
    }
    if (limiter != null) {
      int retryAfter = limiter.acquire(principal.id());
      if (retryAfter > 0) {
        return new Verdict.RateLimited(
            "rate limit exceeded; retry in " + retryAfter + " s", retryAfter);
      }
    }
    return new Verdict.Allowed(principal);
  }
}
