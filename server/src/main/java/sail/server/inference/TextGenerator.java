package sail.server.inference;

/**
 * What the API layer needs from the inference engine. Implementations never block the caller: a
 * request is queued and answered through its listener.
 */
public interface TextGenerator {

  /**
   * Queues a request.
   *
   * @throws OverloadedException when the admission queue is full (the caller answers
   *     RESOURCE_EXHAUSTED / HTTP 429 with a retry hint)
   */
  GenerationHandle submit(GenerationRequest request, GenerationListener listener)
      throws OverloadedException;

  /** Version of the model that newly admitted requests will use. */
  long currentModelVersion();

  /** Requests waiting for a batch slot. */
  int queuedRequests();

  /** Sequences currently in the running batch. */
  int activeSequences();

  /** Tokenizes a conversation the way the engine would, to validate prompt length. */
  int countPromptTokens(GenerationRequest request);

  /** Longest prompt+reply the model can hold. */
  int contextLength();
}
