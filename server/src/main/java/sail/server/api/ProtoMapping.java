package sail.server.api;

import java.util.ArrayList;
import java.util.List;
import sail.server.data.Rating;
import sail.server.inference.ChatMessage;
import sail.server.inference.FinishReason;
import sail.v1.Completion;
import sail.v1.GenerateRequest;
import sail.v1.Message;

/** Translates between the protobuf messages and the API layer's own types. */
final class ProtoMapping {
  private ProtoMapping() {}

  static GenerateInput input(GenerateRequest r) {
    String prompt = null;
    List<ChatMessage> messages = null;
    switch (r.getInputCase()) {
      case PROMPT -> prompt = r.getPrompt();
      case CONVERSATION -> {
        messages = new ArrayList<>();
        for (Message m : r.getConversation().getMessagesList()) {
          messages.add(new ChatMessage(role(m.getRole()), m.getContent()));
        }
      }
      case INPUT_NOT_SET -> {}
    }
    return new GenerateInput(
        prompt,
        messages,
        r.getMaxTokens() == 0 ? null : r.getMaxTokens(),
        r.hasTemperature() ? r.getTemperature() : null,
        r.hasTopP() ? r.getTopP() : null,
        r.getTopK(),
        r.hasSeed() ? r.getSeed() : null,
        r.getStopList(),
        r.getN() == 0 ? null : r.getN(),
        r.getNoLog(),
        r.getReturnLogprobs(),
        r.getClientId());
  }

  private static ChatMessage.Role role(Message.Role role) {
    return switch (role) {
      case SYSTEM -> ChatMessage.Role.SYSTEM;
      case ASSISTANT -> ChatMessage.Role.ASSISTANT;
      case USER, ROLE_UNSPECIFIED, UNRECOGNIZED -> ChatMessage.Role.USER;
    };
  }

  static Completion completion(Candidate c, boolean withLogprobs) {
    Completion.Builder b =
        Completion.newBuilder()
            .setId(c.id())
            .setIndex(c.index())
            .setText(c.result().text())
            .setModelVersion(c.result().modelVersion())
            .setPromptTokens(c.result().promptTokens())
            .setCompletionTokens(c.result().completionTokens())
            .setFinishReason(finishReason(c.result().finishReason()))
            .setSumLogprob(c.result().sumLogProb());
    if (withLogprobs) {
      for (float lp : c.result().tokenLogProbs()) {
        b.addTokenLogprobs(lp);
      }
    }
    return b.build();
  }

  static sail.v1.FinishReason finishReason(FinishReason reason) {
    return switch (reason) {
      case STOP -> sail.v1.FinishReason.STOP;
      case LENGTH -> sail.v1.FinishReason.LENGTH;
      case CANCELLED -> sail.v1.FinishReason.CANCELLED;
    };
  }

  static Rating rating(sail.v1.Rating rating) {
    return switch (rating) {
      case UP -> Rating.UP;
      case DOWN -> Rating.DOWN;
      case RATING_UNSPECIFIED, UNRECOGNIZED ->
          throw RequestValidator.invalid("rating", "must be UP or DOWN");
    };
  }
}
