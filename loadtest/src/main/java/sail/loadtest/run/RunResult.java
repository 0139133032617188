package sail.loadtest.run;

import sail.loadtest.stats.RunStats;

/**
 * A finished run.
 *
 * @param stats every counted outcome
 * @param elapsedSeconds start of the run to its last counted reply (at least the planned duration
 *     unless every user stopped early)
 * @param unfinished interactions still running when the drain timeout passed; not counted
 */
public record RunResult(RunStats stats, double elapsedSeconds, int unfinished) {}
