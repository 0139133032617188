package sail.server.registry;

import sail.server.model.WeightSnapshot;

/**
 * One served version: its number and its weights. Readers {@link WeightSnapshot#retain() retain}
 * the weights for as long as they use them.
 *
 * @param version monotonically increasing version number
 * @param weights immutable parameter values of this version
 * @param publishedAtMillis wall-clock time of publication
 */
public record PublishedModel(long version, WeightSnapshot weights, long publishedAtMillis) {}
