package sail.server.security;

/**
 * Who made a request, as far as access control knows.
 *
 * @param id names the caller without revealing a secret: where its key was declared (e.g. {@code
 *     keys.txt:3}), or {@code address:IP} when the server runs without keys; rate limits count per
 *     id
 * @param role what the caller may do
 */
public record Principal(String id, Role role) {}
