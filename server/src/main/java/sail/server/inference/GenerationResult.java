package sail.server.inference;

/**
 * A finished reply, produced entirely by one model version.
 *
 * @param text decoded reply (stop sequence removed)
 * @param tokens generated token ids (including a trailing end token when finish is STOP by end)
 * @param tokenLogProbs log-probability of each generated token under the sampling distribution's
 *     underlying model (before temperature/top-k/top-p), same length as {@code tokens}
 * @param promptTokens number of prompt tokens
 * @param finishReason why generation stopped
 * @param modelVersion the model version that produced every token of this reply
 */
public record GenerationResult(
    String text,
    int[] tokens,
    float[] tokenLogProbs,
    int promptTokens,
    FinishReason finishReason,
    long modelVersion) {

  public int completionTokens() {
    return tokens.length;
  }

  /** Sum of the reply's token log-probs (the quantity the preference objective works with). */
  public double sumLogProb() {
    double sum = 0;
    for (float lp : tokenLogProbs) {
      sum += lp;
    }
    return sum;
  }
}
