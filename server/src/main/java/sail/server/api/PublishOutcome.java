package sail.server.api;

import java.util.Optional;
import java.util.stream.Collectors;
import sail.server.training.SailTrainer;
import sail.server.training.TrainingLoop;

/** How the answer to an operator's publish explains itself, the same over gRPC and HTTP. */
final class PublishOutcome {
  private PublishOutcome() {}

  /**
   * Why nothing was published, in words; empty when a version was published.
   *
   * @param report the attempt, or empty when none was made
   * @param after the training status after it
   */
  static String detail(Optional<SailTrainer.PublishReport> report, TrainingLoop.Status after) {
    if (report.isEmpty()) {
      return "no training step since version "
          + after.publishedVersion()
          + " was published; nothing new to publish";
    }
    if (report.get().published()) {
      return "";
    }
    return "publish guards failed: "
        + report.get().guards().failures().stream()
            .map(check -> check.guard().name())
            .collect(Collectors.joining(", "))
        + "; version "
        + after.publishedVersion()
        + " is still served";
  }
}
