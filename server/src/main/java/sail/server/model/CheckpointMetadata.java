package sail.server.model;

import java.util.Map;

/**
 * {@code metadata.json} of a checkpoint.
 *
 * @param version model version (monotonic within a deployment; 0 is the shipped base)
 * @param parentVersion the version this one was trained from, or -1
 * @param createdAt ISO-8601 instant
 * @param architecture architecture name (selects the loader)
 * @param files file name to SHA-256 (hex) of every other file in the directory
 * @param training free-form training summary (steps, losses, data, timings)
 */
public record CheckpointMetadata(
    long version,
    long parentVersion,
    String createdAt,
    String architecture,
    Map<String, String> files,
    Map<String, Object> training) {

  public CheckpointMetadata {
    files = files == null ? Map.of() : Map.copyOf(files);
    training = training == null ? Map.of() : Map.copyOf(training);
  }
}
