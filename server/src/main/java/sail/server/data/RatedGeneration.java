package sail.server.data;

import java.time.Instant;

/**
 * A feedback event joined with the reply it rates, as the trainer reads them.
 *
 * @param seq position in the feedback change stream; a replaced rating gets a new, larger seq
 */
public record RatedGeneration(
    long seq,
    GenerationRecord generation,
    String clientId,
    Rating rating,
    String comment,
    Instant ratedAt) {}
