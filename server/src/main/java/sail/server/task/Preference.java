package sail.server.task;

/**
 * A hidden user preference: how much a simulated user likes what a reply says, before the quality
 * gates of {@link SimulatedAnnotator} judge how it is said.
 *
 * <p>Implementations are pure and deterministic.
 */
public interface Preference {
  /** A short name for reports, such as {@code positive-sentiment}. */
  String name();

  /** The appeal of the reply's content, in [0, 1]. */
  double appeal(ReplyText reply);
}
