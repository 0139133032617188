package sail.server.training;

/**
 * Receives what the training loop did, on the trainer's thread, right after it happened: for
 * metrics and logs that sit beside the step rather than inside it. Implementations must be quick
 * and must not throw.
 */
public interface TrainingObserver {
  /** Does nothing. */
  TrainingObserver NONE = new TrainingObserver() {};

  /** One optimiser step finished. */
  default void stepped(SailTrainer.StepReport step) {}

  /** A publish attempt finished: its guards ran, and the version was published or not. */
  default void publishAttempted(SailTrainer.PublishReport publish) {}
}
