package sail.server.api;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import sail.server.config.ServerConfig;
import sail.server.data.GenerationIds;
import sail.server.inference.ChatMessage;
import sail.server.inference.GenerationRequest;
import sail.server.inference.SamplingParams;
import sail.server.inference.TextGenerator;

/**
 * Checks requests against the configured limits. Every failure is an {@link
 * ApiException.InvalidArgument} that names the field (with the API's snake_case name) and says what
 * range would be accepted.
 */
public final class RequestValidator {
  static final double MAX_TEMPERATURE = 2.0;
  static final int MAX_COMMENT_CHARS = 4096;
  static final int MAX_CLIENT_ID_CHARS = 256;

  private final ServerConfig.Limits limits;

  public RequestValidator(ServerConfig.Limits limits) {
    this.limits = limits;
  }

  public ServerConfig.Limits limits() {
    return limits;
  }

  /**
   * @param engine used to count prompt tokens against the context length
   */
  public GenerateCommand generate(GenerateInput in, TextGenerator engine) {
    boolean plainPrompt = in.prompt() != null;
    List<ChatMessage> messages;
    String inputField;
    if (plainPrompt) {
      if (in.messages() != null && !in.messages().isEmpty()) {
        throw invalid("prompt", "give either prompt or messages, not both");
      }
      messages = List.of(ChatMessage.user(in.prompt()));
      inputField = "prompt";
    } else {
      if (in.messages() == null || in.messages().isEmpty()) {
        throw invalid("prompt", "a prompt or at least one message is required");
      }
      messages = in.messages();
      inputField = "messages";
    }
    int chars = 0;
    for (ChatMessage m : messages) {
      chars += m.content().length();
    }
    if (messages.stream().allMatch(m -> m.content().isBlank())) {
      throw invalid(inputField, "must not be empty");
    }
    if (chars > limits.maxPromptChars()) {
      throw invalid(
          inputField, "is " + chars + " characters; the limit is " + limits.maxPromptChars());
    }

    int maxTokens = in.maxTokens() == null ? limits.defaultMaxTokens() : in.maxTokens();
    if (maxTokens < 1 || maxTokens > limits.maxTokens()) {
      throw invalid("max_tokens", "must be in [1, " + limits.maxTokens() + "], got " + maxTokens);
    }
    double temperature = in.temperature() == null ? 1.0 : in.temperature();
    if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
      throw invalid("temperature", "must be in [0, " + MAX_TEMPERATURE + "], got " + temperature);
    }
    double topP = in.topP() == null ? 1.0 : in.topP();
    if (!(topP > 0 && topP <= 1)) {
      throw invalid("top_p", "must be in (0, 1], got " + topP);
    }
    int topK = in.topK() == null ? 0 : in.topK();
    if (topK < 0) {
      throw invalid("top_k", "must be >= 0 (0 turns it off), got " + topK);
    }
    int n = in.n() == null ? 1 : in.n();
    if (n < 1 || n > limits.maxCandidates()) {
      throw invalid("n", "must be in [1, " + limits.maxCandidates() + "], got " + n);
    }
    List<String> stop = in.stop() == null ? List.of() : in.stop();
    if (stop.size() > limits.maxStopSequences()) {
      throw invalid(
          "stop", "at most " + limits.maxStopSequences() + " sequences, got " + stop.size());
    }
    for (String s : stop) {
      if (s == null || s.isEmpty()) {
        throw invalid("stop", "stop sequences must not be empty");
      }
    }
    String clientId = clientId(in.clientId());

    if (engine != null) {
      GenerationRequest probe = new GenerationRequest(messages, SamplingParams.greedy(maxTokens));
      int promptTokens = engine.countPromptTokens(probe);
      if (promptTokens >= engine.contextLength()) {
        throw invalid(
            inputField,
            "is "
                + promptTokens
                + " tokens; the model's context holds "
                + engine.contextLength()
                + " tokens including the reply");
      }
    }
    long seed = in.seed() != null ? in.seed() : ThreadLocalRandom.current().nextLong();
    return new GenerateCommand(
        messages,
        plainPrompt,
        maxTokens,
        temperature,
        topP,
        topK,
        seed,
        stop,
        n,
        in.noLog(),
        in.returnLogprobs(),
        clientId);
  }

  public String generationId(String field, String id) {
    if (id == null || id.isEmpty()) {
      throw invalid(field, "a generation id is required");
    }
    if (!GenerationIds.looksValid(id)) {
      throw new ApiException.NotFound("no generation with id '" + abbreviate(id) + "'");
    }
    return id;
  }

  public String comment(String comment) {
    if (comment != null && comment.length() > MAX_COMMENT_CHARS) {
      throw invalid("comment", "at most " + MAX_COMMENT_CHARS + " characters");
    }
    return comment == null ? "" : comment;
  }

  public String clientId(String clientId) {
    if (clientId != null && clientId.length() > MAX_CLIENT_ID_CHARS) {
      throw invalid("client_id", "at most " + MAX_CLIENT_ID_CHARS + " characters");
    }
    return clientId == null ? "" : clientId;
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  static ApiException.InvalidArgument invalid(String field, String message) {
    return new ApiException.InvalidArgument(field, message);
  }
}
