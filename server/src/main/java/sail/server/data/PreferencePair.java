package sail.server.data;

import java.time.Instant;

/**
 * A logged preference with both replies.
 *
 * @param seq position in the preference change stream; a replaced choice gets a new, larger seq
 */
public record PreferencePair(
    long seq,
    GenerationRecord chosen,
    GenerationRecord rejected,
    String clientId,
    Instant createdAt) {}
