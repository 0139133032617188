package sail.server.data;

import java.time.Instant;
import java.util.List;

/**
 * One logged reply.
 *
 * @param id server-issued id (see {@link GenerationIds})
 * @param createdAt when the reply finished
 * @param prompt the conversation the reply answers
 * @param response the reply text
 * @param modelVersion the model version that produced every token of the reply
 * @param sampling sampling settings of this candidate (its own seed)
 * @param promptTokens prompt length in tokens
 * @param completionTokens reply length in tokens
 * @param sumLogProb summed log-probability of the reply's tokens under the model
 * @param finishReason {@code "stop"} or {@code "length"}
 * @param clientId the caller's id, empty when anonymous
 */
public record GenerationRecord(
    String id,
    Instant createdAt,
    List<Turn> prompt,
    String response,
    long modelVersion,
    Sampling sampling,
    int promptTokens,
    int completionTokens,
    double sumLogProb,
    String finishReason,
    String clientId) {

  public GenerationRecord {
    prompt = List.copyOf(prompt);
    clientId = clientId == null ? "" : clientId;
  }
}
