package sail.server.inference;

/** Why a sequence stopped; the API names follow the OpenAI convention. */
public enum FinishReason {
  /** The model emitted its end-of-turn token or a stop sequence matched. */
  STOP,
  /** {@code maxNewTokens} or the context length was reached. */
  LENGTH,
  /** The caller cancelled or its deadline passed. */
  CANCELLED
}
