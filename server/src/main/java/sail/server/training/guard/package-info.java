/**
 * Checks run on a candidate version's own samples before it is published (alignment-facts.md): pure
 * statistics, bounds relative to the base, and a report of which guard failed.
 */
package sail.server.training.guard;
