package sail.server.api;

import sail.server.inference.GenerationResult;

/**
 * One finished candidate of a request.
 *
 * @param id server-issued generation id (feedback and preferences refer to it)
 * @param index position of the candidate in the request, 0..n-1
 * @param result what the engine produced
 */
public record Candidate(String id, int index, GenerationResult result) {}
