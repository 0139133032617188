package sail.server.api;

import java.util.List;
import sail.server.inference.ChatMessage;

/**
 * A generation request as a boundary (gRPC or HTTP) read it, before validation. {@code null} means
 * "not given"; exactly one of {@code prompt} and {@code messages} should be set.
 */
public record GenerateInput(
    String prompt,
    List<ChatMessage> messages,
    Integer maxTokens,
    Double temperature,
    Double topP,
    Integer topK,
    Long seed,
    List<String> stop,
    Integer n,
    boolean noLog,
    boolean returnLogprobs,
    String clientId) {}
