package sail.server.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import sail.server.data.Rating;
import sail.server.inference.ChatMessage;
import sail.server.inference.GenerationResult;

/**
 * OpenAI-style JSON endpoints: {@code POST /v1/completions}, {@code POST /v1/chat/completions}
 * (both with {@code stream: true} as server-sent events), {@code POST /v1/feedback} and {@code POST
 * /v1/preference}.
 *
 * <p>Beyond the OpenAI shapes every choice carries its own generation {@code id} and {@code
 * model_version}; the top-level {@code id} is the first choice's. Extra request fields: {@code
 * top_k}, {@code no_log}, {@code client_id} (OpenAI's {@code user} is read as a fallback).
 */
public final class OpenAiRoutes {
  static final String MODEL_NAME = "sail";

  private final GenerationService service;

  public OpenAiRoutes(GenerationService service) {
    this.service = service;
  }

  /** Adds the routes; {@code router} must already parse bodies. */
  public void mount(Router router) {
    router.post("/v1/completions").handler(ctx -> generate(ctx, false));
    router.post("/v1/chat/completions").handler(ctx -> generate(ctx, true));
    router.post("/v1/feedback").handler(this::feedback);
    router.post("/v1/preference").handler(this::preference);
  }

  // ---------------------------------------------------------------- generation

  private void generate(RoutingContext ctx, boolean chat) {
    GenerateCommand command;
    boolean stream;
    try {
      JsonObject body = body(ctx);
      command = service.validate(chat ? chatInput(body) : completionInput(body));
      stream = JsonFields.bool(body, "stream");
    } catch (RuntimeException e) {
      HttpErrors.send(ctx, e, service.metrics());
      return;
    }
    Context context = Vertx.currentContext();
    long created = System.currentTimeMillis() / 1000;
    AtomicReference<GenerationService.Call> started = new AtomicReference<>();
    GenerationService.CallListener listener =
        stream
            ? new SseListener(ctx, chat, command, created, started)
            : new JsonListener(ctx, chat, command, created);
    GenerationService.Call call;
    try {
      call = service.start(command, "http", context, listener);
    } catch (RuntimeException e) {
      HttpErrors.send(ctx, e, service.metrics());
      return;
    }
    started.set(call);
    // the client went away: free the batch slots
    ctx.response().closeHandler(v -> call.cancel());
    if (stream) {
      ctx.response()
          .setChunked(true)
          .putHeader("Content-Type", "text/event-stream")
          .putHeader("Cache-Control", "no-cache")
          .writeHead();
    }
  }

  private GenerateInput completionInput(JsonObject body) {
    Object prompt = body.getValue("prompt");
    if (prompt != null && !(prompt instanceof String)) {
      throw RequestValidator.invalid("prompt", "must be a string");
    }
    if (prompt == null) {
      throw RequestValidator.invalid("prompt", "is required");
    }
    return input(body, (String) prompt, null);
  }

  private GenerateInput chatInput(JsonObject body) {
    Object raw = body.getValue("messages");
    if (!(raw instanceof JsonArray array) || array.isEmpty()) {
      throw RequestValidator.invalid("messages", "must be a non-empty array of {role, content}");
    }
    List<ChatMessage> messages = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String field = "messages[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject m)) {
        throw RequestValidator.invalid(field, "must be an object {role, content}");
      }
      String role = JsonFields.string(m, "role");
      String content = JsonFields.string(m, "content");
      if (content == null) {
        throw RequestValidator.invalid(field + ".content", "is required");
      }
      messages.add(new ChatMessage(role(field + ".role", role), content));
    }
    return input(body, null, messages);
  }

  private static ChatMessage.Role role(String field, String role) {
    if (role == null) {
      throw RequestValidator.invalid(field, "is required (system, user or assistant)");
    }
    return switch (role) {
      case "system" -> ChatMessage.Role.SYSTEM;
      case "user" -> ChatMessage.Role.USER;
      case "assistant" -> ChatMessage.Role.ASSISTANT;
      default ->
          throw RequestValidator.invalid(
              field, "must be system, user or assistant, got '" + role + "'");
    };
  }

  private static GenerateInput input(JsonObject body, String prompt, List<ChatMessage> messages) {
    Object logprobs = body.getValue("logprobs");
    boolean returnLogprobs =
        logprobs instanceof Boolean b ? b : logprobs instanceof Number n && n.intValue() > 0;
    String clientId = JsonFields.string(body, "client_id");
    return new GenerateInput(
        prompt,
        messages,
        JsonFields.integer(body, "max_tokens"),
        JsonFields.number(body, "temperature"),
        JsonFields.number(body, "top_p"),
        JsonFields.integer(body, "top_k"),
        JsonFields.longValue(body, "seed"),
        JsonFields.strings(body, "stop"),
        JsonFields.integer(body, "n"),
        JsonFields.bool(body, "no_log"),
        returnLogprobs,
        clientId != null ? clientId : JsonFields.string(body, "user"));
  }

  private static JsonObject choice(boolean chat, Candidate c, boolean withLogprobs) {
    GenerationResult r = c.result();
    JsonObject choice =
        new JsonObject()
            .put("index", c.index())
            .put("id", c.id())
            .put("finish_reason", r.finishReason().name().toLowerCase(Locale.ROOT))
            .put("model_version", r.modelVersion());
    if (chat) {
      choice.put("message", new JsonObject().put("role", "assistant").put("content", r.text()));
    } else {
      choice.put("text", r.text());
    }
    choice.put("logprobs", withLogprobs ? logprobs(r) : null);
    return choice;
  }

  private static JsonObject logprobs(GenerationResult r) {
    JsonArray values = new JsonArray();
    for (float lp : r.tokenLogProbs()) {
      values.add(lp);
    }
    return new JsonObject().put("token_logprobs", values).put("sum_logprob", r.sumLogProb());
  }

  private static JsonObject usage(List<Candidate> candidates) {
    int prompt = candidates.isEmpty() ? 0 : candidates.get(0).result().promptTokens();
    int completion = 0;
    for (Candidate c : candidates) {
      completion += c.result().completionTokens();
    }
    return new JsonObject()
        .put("prompt_tokens", prompt)
        .put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
  }

  /** Answers with one JSON document once every candidate is finished. */
  private final class JsonListener implements GenerationService.CallListener {
    private final RoutingContext ctx;
    private final boolean chat;
    private final GenerateCommand command;
    private final long created;

    JsonListener(RoutingContext ctx, boolean chat, GenerateCommand command, long created) {
      this.ctx = ctx;
      this.chat = chat;
      this.command = command;
      this.created = created;
    }

    @Override
    public void onDone(List<Candidate> candidates) {
      JsonArray choices = new JsonArray();
      for (Candidate c : candidates) {
        choices.add(choice(chat, c, command.returnLogprobs()));
      }
      JsonObject reply =
          new JsonObject()
              .put("id", candidates.get(0).id())
              .put("object", chat ? "chat.completion" : "text_completion")
              .put("created", created)
              .put("model", MODEL_NAME)
              .put("model_version", candidates.get(0).result().modelVersion())
              .put("choices", choices)
              .put("usage", usage(candidates));
      HttpServerResponse response = ctx.response();
      if (!response.closed()) {
        response.putHeader("Content-Type", "application/json").end(reply.encode());
      }
    }

    @Override
    public void onError(Throwable error) {
      HttpErrors.send(ctx, error, service.metrics());
    }
  }

  /**
   * Streams {@code data: {chunk}} events: one per text delta, one closing chunk per choice with its
   * finish reason, model version and usage, then {@code data: [DONE]}.
   */
  private final class SseListener implements GenerationService.CallListener {
    private final RoutingContext ctx;
    private final boolean chat;
    private final GenerateCommand command;
    private final long created;
    private final AtomicReference<GenerationService.Call> call;

    SseListener(
        RoutingContext ctx,
        boolean chat,
        GenerateCommand command,
        long created,
        AtomicReference<GenerationService.Call> call) {
      this.ctx = ctx;
      this.chat = chat;
      this.command = command;
      this.created = created;
      this.call = call;
    }

    private JsonObject chunk(String id, JsonObject choice) {
      return new JsonObject()
          .put("id", id)
          .put("object", chat ? "chat.completion.chunk" : "text_completion")
          .put("created", created)
          .put("model", MODEL_NAME)
          .put("choices", new JsonArray().add(choice));
    }

    private void send(JsonObject event) {
      HttpServerResponse response = ctx.response();
      if (!response.closed() && !response.ended()) {
        response.write("data: " + event.encode() + "\n\n");
      }
    }

    @Override
    public void onDelta(int index, String delta) {
      String id = call.get().ids().get(index);
      JsonObject choice = new JsonObject().put("index", index).put("id", id);
      if (chat) {
        choice.put("delta", new JsonObject().put("content", delta));
      } else {
        choice.put("text", delta);
      }
      send(chunk(id, choice.put("finish_reason", null)));
    }

    @Override
    public void onCandidate(Candidate c) {
      GenerationResult r = c.result();
      JsonObject choice =
          new JsonObject()
              .put("index", c.index())
              .put("id", c.id())
              .put("finish_reason", r.finishReason().name().toLowerCase(Locale.ROOT))
              .put("model_version", r.modelVersion());
      if (chat) {
        choice.put("delta", new JsonObject());
      } else {
        choice.put("text", "");
      }
      if (command.returnLogprobs()) {
        choice.put("logprobs", logprobs(r));
      }
      send(
          chunk(c.id(), choice)
              .put("model_version", r.modelVersion())
              .put("usage", usage(List.of(c))));
    }

    @Override
    public void onDone(List<Candidate> candidates) {
      HttpServerResponse response = ctx.response();
      if (!response.closed() && !response.ended()) {
        response.end("data: [DONE]\n\n");
      }
    }

    @Override
    public void onError(Throwable error) {
      HttpErrors.send(ctx, error, service.metrics());
    }
  }

  // ---------------------------------------------------------------- feedback

  private void feedback(RoutingContext ctx) {
    try {
      JsonObject body = body(ctx);
      RequestValidator v = service.validator();
      String id = v.generationId("id", JsonFields.string(body, "id"));
      String ratingText = JsonFields.string(body, "rating");
      Rating rating;
      if ("up".equalsIgnoreCase(ratingText)) {
        rating = Rating.UP;
      } else if ("down".equalsIgnoreCase(ratingText)) {
        rating = Rating.DOWN;
      } else {
        throw RequestValidator.invalid("rating", "must be \"up\" or \"down\"");
      }
      String comment = v.comment(JsonFields.string(body, "comment"));
      String client = v.clientId(clientId(body));
      Future.fromCompletionStage(
              service.feedback(id, rating, comment, client), Vertx.currentContext())
          .onSuccess(
              replaced ->
                  json(
                      ctx,
                      new JsonObject()
                          .put("id", id)
                          .put("rating", rating.name().toLowerCase(Locale.ROOT))
                          .put("replaced", replaced)))
          .onFailure(error -> HttpErrors.send(ctx, error, service.metrics()));
    } catch (RuntimeException e) {
      HttpErrors.send(ctx, e, service.metrics());
    }
  }

  private void preference(RoutingContext ctx) {
    try {
      JsonObject body = body(ctx);
      RequestValidator v = service.validator();
      String chosen = v.generationId("chosen", JsonFields.string(body, "chosen"));
      String rejected = v.generationId("rejected", JsonFields.string(body, "rejected"));
      String client = v.clientId(clientId(body));
      Future.fromCompletionStage(service.prefer(chosen, rejected, client), Vertx.currentContext())
          .onSuccess(
              replaced ->
                  json(
                      ctx,
                      new JsonObject()
                          .put("chosen", chosen)
                          .put("rejected", rejected)
                          .put("replaced", replaced)))
          .onFailure(error -> HttpErrors.send(ctx, error, service.metrics()));
    } catch (RuntimeException e) {
      HttpErrors.send(ctx, e, service.metrics());
    }
  }

  private static String clientId(JsonObject body) {
    String clientId = JsonFields.string(body, "client_id");
    return clientId != null ? clientId : JsonFields.string(body, "user");
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    if (!ctx.response().closed()) {
      ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
    }
  }

  /** The request body as a JSON object, or an INVALID_ARGUMENT naming {@code body}. */
  static JsonObject body(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      throw RequestValidator.invalid("body", "is not a valid JSON object: " + e.getMessage());
    }
    if (body == null) {
      throw RequestValidator.invalid("body", "a JSON object is required");
    }
    return body;
  }
}
