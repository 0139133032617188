package sail.server.inference;

/**
 * Receives the progress of one sequence. The engine calls these from its own thread; the API layer
 * hops onto its event loop (e.g. {@code context.runOnContext}) before touching connections. Exactly
 * one of {@link #onComplete} or {@link #onError} is called, last.
 */
public interface GenerationListener {

  /** Called once when the sequence starts (its first token is sampled next). */
  default void onStart(long modelVersion, int promptTokens) {}

  /**
   * New text is available. Deltas are cut at UTF-8 character boundaries, so concatenating them
   * gives the final text (without a stop sequence, which is withheld until it is ruled out).
   */
  default void onText(String delta) {}

  void onComplete(GenerationResult result);

  void onError(Throwable error);
}
