/**
 * The data of each training step, decided before any model work (sail-objective.md, section 3):
 * offline pairs ({@link sail.server.training.mixture.OfflinePairs}), prompts for fresh samples,
 * human-labelled logged pairs ({@link sail.server.training.mixture.FeedbackPairs}) and the seeded
 * {@link sail.server.training.mixture.MixtureSampler} that routes each row and walks the sources
 * with restorable cursors.
 *
 * <p>Pure Java: no DJL, no I/O beyond reading a dataset file, randomness derived from a seed.
 */
package sail.server.training.mixture;
