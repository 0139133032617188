package sail.client.cli;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import sail.v1.Completion;
import sail.v1.StatusResponse;

/** JSON shapes the CLI prints with {@code --json}. */
final class Output {
  private Output() {}

  static JsonObject completion(Completion c) {
    return new JsonObject()
        .put("id", c.getId())
        .put("text", c.getText())
        .put("model_version", c.getModelVersion())
        .put("finish_reason", c.getFinishReason().name().toLowerCase(Locale.ROOT))
        .put("prompt_tokens", c.getPromptTokens())
        .put("completion_tokens", c.getCompletionTokens());
  }

  static JsonObject status(StatusResponse s) {
    return new JsonObject()
        .put("model_version", s.getModelVersion())
        .put(
            "counts",
            new JsonObject()
                .put("generations", s.getCounts().getGenerations())
                .put("feedback", s.getCounts().getFeedback())
                .put("preferences", s.getCounts().getPreferences()))
        .put("queued", s.getQueued())
        .put("active", s.getActive())
        .put("uptime_seconds", s.getUptimeSeconds())
        .put("ready", s.getReady());
  }
}
