package sail.server.api;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import sail.server.training.TrainingLoop;
import sail.server.training.guard.GuardReport;
import sail.server.training.reward.RewardAccuracy;
import sail.server.training.reward.RewardLearner;

/**
 * The admin API over HTTP/JSON, mirroring {@code sail.v1.AdminService}: {@code GET
 * /v1/admin/status}, {@code POST /v1/admin/training/pause}, {@code .../resume}, {@code
 * .../publish}, {@code .../checkpoint}, {@code POST /v1/admin/rollback} with {@code
 * {"model_version": N}} and {@code POST /v1/admin/evaluate} with {@code {"model_version": N,
 * "prompts": N, "seed": N}} (all optional).
 */
final class AdminRoutes {
  private final GenerationService service;

  AdminRoutes(GenerationService service) {
    this.service = service;
  }

  void mount(Router router) {
    router.get("/v1/admin/status").handler(this::status);
    router.post("/v1/admin/training/pause").handler(ctx -> control(ctx, TrainingLoop::pause));
    router.post("/v1/admin/training/resume").handler(ctx -> control(ctx, TrainingLoop::resume));
    router.post("/v1/admin/training/publish").handler(this::publish);
    router.post("/v1/admin/training/checkpoint").handler(this::checkpoint);
    router.post("/v1/admin/rollback").handler(this::rollback);
    router.post("/v1/admin/evaluate").handler(this::evaluate);
  }

  private void status(RoutingContext ctx) {
    GenerationService.Status s = service.status();
    JsonObject body =
        new JsonObject()
            .put("model_version", s.modelVersion())
            .put(
                "counts",
                new JsonObject()
                    .put("generations", s.counts().generations())
                    .put("feedback", s.counts().feedback())
                    .put("preferences", s.counts().preferences()))
            .put("queued", s.queued())
            .put("active", s.active())
            .put("uptime_seconds", s.uptimeSeconds())
            .put("ready", s.ready());
    TrainingLoop loop = service.training();
    if (loop != null) {
      body.put("training", training(loop.status()));
    }
    ok(ctx, body);
  }

  static JsonObject training(TrainingLoop.Status t) {
    JsonObject out =
        new JsonObject()
            .put("state", t.state().name())
            .put("step", t.step())
            .put("published_version", t.publishedVersion())
            .put("time_s", new JsonObject(new java.util.LinkedHashMap<>(t.time().fields())));
    if (t.lastStep() != null) {
      out.put("last_loss", t.lastStep().loss()).put("last_mean_s", t.lastStep().meanS());
      RewardLearner.Report reward = t.lastStep().reward();
      if (reward != null) {
        RewardAccuracy accuracy = reward.accuracy();
        JsonObject model =
            new JsonObject()
                .put("steps", reward.steps())
                .put("ready", reward.ready())
                .put("back_off", reward.backOff())
                .put("held_out_examples", accuracy == null ? 0 : accuracy.examples());
        if (accuracy != null) {
          model.put("accuracy", accuracy.overall());
          if (accuracy.rankedPairs() > 0) {
            model.put("ranking_accuracy", accuracy.ranking());
          }
          out.put("reward_accuracy", accuracy.overall());
        }
        if (reward.margin() != null) {
          model
              .put("label_gap", reward.margin().gap())
              .put("label_coverage", reward.margin().coverage());
        }
        out.put("reward_model", model);
      }
    }
    if (t.lastPublish() != null) {
      out.put("last_publish_step", t.lastPublish().step())
          .put("last_publish_passed", t.lastPublish().published())
          .put("last_publish_ms", t.lastPublish().publishMillis())
          .put("guards", guards(t.lastPublish().guards()));
    }
    return out;
  }

  /** One {@code {name, value, bound, passed}} object per guard checked. */
  static JsonArray guards(GuardReport report) {
    JsonArray guards = new JsonArray();
    for (GuardReport.Check check : report.checks()) {
      guards.add(
          new JsonObject()
              .put("name", check.guard().name())
              .put("value", check.value())
              .put("bound", check.bound())
              .put("passed", check.passed()));
    }
    return guards;
  }

  /** Runs a pause or resume and answers once it has taken effect. */
  private void control(
      RoutingContext ctx, java.util.function.Function<TrainingLoop, CompletionStage<Void>> op) {
    TrainingLoop loop = loopOrFail(ctx);
    if (loop != null) {
      reply(ctx, op.apply(loop), ignored -> training(loop.status()));
    }
  }

  /** {@code {"published", "model_version", "step", "guards", "detail"}}, as the gRPC answer. */
  private void publish(RoutingContext ctx) {
    TrainingLoop loop = loopOrFail(ctx);
    if (loop != null) {
      reply(
          ctx,
          loop.publish(),
          report -> {
            TrainingLoop.Status t = loop.status();
            return new JsonObject()
                .put("published", report.map(r -> r.published()).orElse(false))
                .put("model_version", t.publishedVersion())
                .put("step", t.step())
                .put("guards", report.map(r -> guards(r.guards())).orElse(new JsonArray()))
                .put("detail", PublishOutcome.detail(report, t));
          });
    }
  }

  private void checkpoint(RoutingContext ctx) {
    TrainingLoop loop = loopOrFail(ctx);
    if (loop != null) {
      reply(ctx, loop.checkpoint(), step -> new JsonObject().put("step", step));
    }
  }

  private void rollback(RoutingContext ctx) {
    TrainingLoop loop = loopOrFail(ctx);
    if (loop == null) {
      return;
    }
    Long version;
    try {
      JsonObject body = ctx.body().asJsonObject();
      version = body == null ? null : body.getLong("model_version");
    } catch (RuntimeException e) {
      HttpErrors.send(
          ctx,
          new ApiException.InvalidArgument("body", "must be a JSON object"),
          service.metrics());
      return;
    }
    if (version == null) {
      HttpErrors.send(
          ctx, new ApiException.InvalidArgument("model_version", "is required"), service.metrics());
      return;
    }
    reply(ctx, loop.rollback(version), v -> new JsonObject().put("model_version", v));
  }

  private void evaluate(RoutingContext ctx) {
    JsonObject body;
    OptionalLong version;
    OptionalLong seed;
    int prompts;
    try {
      body = ctx.body().isEmpty() ? new JsonObject() : ctx.body().asJsonObject();
      version = optionalLong(body, "model_version");
      seed = optionalLong(body, "seed");
      prompts = body.getInteger("prompts", 0);
    } catch (RuntimeException e) {
      HttpErrors.send(
          ctx,
          new ApiException.InvalidArgument(
              "body", "must be a JSON object with integer model_version, prompts and seed"),
          service.metrics());
      return;
    }
    reply(ctx, Evaluations.start(service, version, prompts, seed), Evaluations::toJson);
  }

  private static OptionalLong optionalLong(JsonObject body, String key) {
    Long value = body.getLong(key);
    return value == null ? OptionalLong.empty() : OptionalLong.of(value);
  }

  private <T> void reply(
      RoutingContext ctx,
      CompletionStage<T> result,
      java.util.function.Function<T, JsonObject> ok) {
    Context context = Vertx.currentContext();
    result.whenComplete(
        (value, error) ->
            context.runOnContext(
                ignored -> {
                  if (error == null) {
                    ok(ctx, ok.apply(value));
                  } else if (unwrap(error) instanceof IllegalArgumentException bad) {
                    HttpErrors.send(
                        ctx, new ApiException.NotFound(bad.getMessage()), service.metrics());
                  } else {
                    HttpErrors.send(ctx, error, service.metrics());
                  }
                }));
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  private TrainingLoop loopOrFail(RoutingContext ctx) {
    TrainingLoop loop = service.training();
    if (loop == null) {
      HttpErrors.send(
          ctx,
          new ApiException.Unavailable(
              "training is off: the server runs with --no-train or is still loading"),
          service.metrics());
    }
    return loop;
  }

  private static void ok(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
  }
}
