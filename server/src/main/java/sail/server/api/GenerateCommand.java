package sail.server.api;

import java.util.List;
import sail.server.inference.ChatMessage;
import sail.server.inference.SamplingParams;

/**
 * A validated generation request.
 *
 * @param messages the conversation (a plain prompt is one user turn)
 * @param prompt true when the request was a plain prompt (completions), false for chat
 * @param maxTokens upper bound on generated tokens per candidate
 * @param seed seed of candidate 0; candidate i uses {@code seed + i}
 * @param n number of candidates
 * @param noLog neither stored nor trained on
 * @param returnLogprobs include per-token log-probs in the reply
 * @param clientId caller id, empty if anonymous
 */
public record GenerateCommand(
    List<ChatMessage> messages,
    boolean prompt,
    int maxTokens,
    double temperature,
    double topP,
    int topK,
    long seed,
    List<String> stop,
    int n,
    boolean noLog,
    boolean returnLogprobs,
    String clientId) {

  public GenerateCommand {
    messages = List.copyOf(messages);
    stop = List.copyOf(stop);
  }

  /** Sampling parameters of candidate {@code index}. */
  public SamplingParams params(int index) {
    return new SamplingParams(temperature, topK, topP, maxTokens, stop, seed + index);
  }
}
