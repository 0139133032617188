package sail.server.security;

/** What access control decided about one request. */
public sealed interface Verdict {

  /** Go ahead; {@code principal} is who asked. */
  record Allowed(Principal principal) implements Verdict {}

  /** No key, or not a key the server knows: gRPC UNAUTHENTICATED / HTTP 401. */
  record Unauthenticated(String message) implements Verdict {}

  /** A valid key whose role is too weak: gRPC PERMISSION_DENIED / HTTP 403. */
  record Forbidden(String message) implements Verdict {}

  /** Over the caller's rate limit: gRPC RESOURCE_EXHAUSTED / HTTP 429 with a retry hint. */
  record RateLimited(String message, int retryAfterSeconds) implements Verdict {}
}
