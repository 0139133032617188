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
    JsonObject out = statusWithoutTraining(s);
    if (s.hasTraining()) {
      var t = s.getTraining();
      io.vertx.core.json.JsonArray guards = new io.vertx.core.json.JsonArray();
      for (var g : t.getGuardsList()) {
        guards.add(
            new JsonObject()
                .put("name", g.getName())
                .put("value", g.getValue())
                .put("bound", g.getBound())
                .put("passed", g.getPassed()));
      }
      out.put(
          "training",
          new JsonObject()
              .put("state", t.getState())
              .put("step", t.getStep())
              .put("published_version", t.getPublishedVersion())
              .put("last_loss", t.getLastLoss())
              .put("last_publish_step", t.getLastPublishStep())
              .put("last_publish_passed", t.getLastPublishPassed())
              .put("last_publish_ms", t.getLastPublishMs())
              .put("guards", guards));
    }
    return out;
  }

  private static JsonObject statusWithoutTraining(StatusResponse s) {
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
