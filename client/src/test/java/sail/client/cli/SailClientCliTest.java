package sail.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import sail.v1.AdminServiceGrpcService;
import sail.v1.Completion;
import sail.v1.Counts;
import sail.v1.EvaluateRequest;
import sail.v1.EvaluateResponse;
import sail.v1.FeedbackRequest;
import sail.v1.FeedbackResponse;
import sail.v1.FinishReason;
import sail.v1.Fluency;
import sail.v1.GenerateChunk;
import sail.v1.GenerateRequest;
import sail.v1.GenerateResponse;
import sail.v1.PolicyServiceGrpcService;
import sail.v1.Rating;
import sail.v1.RewardModelStatus;
import sail.v1.StatusRequest;
import sail.v1.StatusResponse;
import sail.v1.TrainingStatus;

/**
 * The CLI against a scripted gRPC server on a random port: replies are {@code "re: " + the last
 * message}, split into words for streaming; feedback on {@code gen-unknown} is NOT_FOUND.
 */
class SailClientCliTest {
  static Vertx vertx;
  static HttpServer server;
  static String target;
  static final List<FeedbackRequest> feedback = new ArrayList<>();

  /** The authorization header of every Status call, "none" when absent. */
  static final List<String> statusAuthorization = new ArrayList<>();

  static String lastMessage(GenerateRequest r) {
    return r.hasConversation()
        ? r.getConversation().getMessages(r.getConversation().getMessagesCount() - 1).getContent()
        : r.getPrompt();
  }

  static Completion reply(GenerateRequest r) {
    String text = "re: " + lastMessage(r);
    return Completion.newBuilder()
        .setId("gen-" + Math.abs(text.hashCode()))
        .setText(text)
        .setModelVersion(3)
        .setFinishReason(FinishReason.STOP)
        .setPromptTokens(2)
        .setCompletionTokens(text.split(" ").length)
        .build();
  }

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.callHandler(
        PolicyServiceGrpcService.Generate,
        call ->
            call.handler(
                r -> {
                  if (r.getPrompt().isEmpty() && !r.hasConversation()) {
                    call.response()
                        .status(GrpcStatus.INVALID_ARGUMENT)
                        .statusMessage("prompt: must not be empty")
                        .end();
                    return;
                  }
                  call.response()
                      .end(GenerateResponse.newBuilder().addCompletions(reply(r)).build());
                }));
    grpc.callHandler(
        PolicyServiceGrpcService.GenerateStream,
        call ->
            call.handler(
                r -> {
                  Completion c = reply(r);
                  String[] words = c.getText().split(" ");
                  for (int i = 0; i < words.length; i++) {
                    call.response()
                        .write(
                            GenerateChunk.newBuilder()
                                .setDelta((i == 0 ? "" : " ") + words[i])
                                .build());
                  }
                  call.response().write(GenerateChunk.newBuilder().setCompletion(c).build());
                  call.response().end();
                }));
    grpc.callHandler(
        PolicyServiceGrpcService.Feedback,
        call ->
            call.handler(
                r -> {
                  if (r.getGenerationId().equals("gen-unknown")) {
                    call.response()
                        .status(GrpcStatus.NOT_FOUND)
                        .statusMessage("no logged generation")
                        .end();
                    return;
                  }
                  synchronized (feedback) {
                    feedback.add(r);
                  }
                  call.response().end(FeedbackResponse.newBuilder().setReplaced(false).build());
                }));
    grpc.callHandler(
        AdminServiceGrpcService.Status,
        call -> {
          synchronized (statusAuthorization) {
            String authorization = call.headers().get("authorization");
            statusAuthorization.add(authorization == null ? "none" : authorization);
          }
          call.handler(
              (StatusRequest r) ->
                  call.response()
                      .end(
                          StatusResponse.newBuilder()
                              .setModelVersion(3)
                              .setCounts(Counts.newBuilder().setGenerations(10).setFeedback(4))
                              .setReady(true)
                              .setTraining(
                                  TrainingStatus.newBuilder()
                                      .setState("RUNNING")
                                      .setStep(40)
                                      .setRewardModel(
                                          RewardModelStatus.newBuilder()
                                              .setSteps(39)
                                              .setHeldOutExamples(120)
                                              .setAccuracy(0.65)
                                              .setReady(true)))
                              .build()));
        });
    grpc.callHandler(
        AdminServiceGrpcService.Evaluate,
        call ->
            call.handler(
                (EvaluateRequest r) -> {
                  if (r.getModelVersion() == 999) {
                    call.response()
                        .status(GrpcStatus.NOT_FOUND)
                        .statusMessage("model version 999 is not kept")
                        .end();
                    return;
                  }
                  // echoes the request: the served version is 3, the wins are the prompts - 1
                  call.response()
                      .end(
                          EvaluateResponse.newBuilder()
                              .setModelVersion(r.hasModelVersion() ? r.getModelVersion() : 3)
                              .setPrompts(r.getPrompts())
                              .setWins(r.getPrompts() - 1)
                              .setTies(1)
                              .setWinRate(0.9)
                              .setSeed(r.hasSeed() ? r.getSeed() : 42)
                              .setFluency(Fluency.newBuilder().setRepetitionRate(0.25))
                              .setJudge("annotator:positive-sentiment")
                              .build());
                }));
    // the first publish passes as version 4; after it there is nothing new
    java.util.concurrent.atomic.AtomicInteger publishes =
        new java.util.concurrent.atomic.AtomicInteger();
    grpc.callHandler(
        AdminServiceGrpcService.Publish,
        call ->
            call.handler(
                (sail.v1.PublishRequest r) ->
                    call.response()
                        .end(
                            publishes.getAndIncrement() == 0
                                ? sail.v1.PublishResponse.newBuilder()
                                    .setPublished(true)
                                    .setModelVersion(4)
                                    .setStep(40)
                                    .build()
                                : sail.v1.PublishResponse.newBuilder()
                                    .setModelVersion(4)
                                    .setStep(40)
                                    .setDetail("nothing new to publish")
                                    .build())));
    server = vertx.createHttpServer().requestHandler(grpc).listen(0, "127.0.0.1").await();
    target = "127.0.0.1:" + server.actualPort();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  record Run(int exit, String out, String err) {}

  static Run run(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  static Run run(String... args) {
    return run(SailClientCli.commandLine(), args);
  }

  @Test
  void generatePrintsTheText() {
    Run r = run("generate", "--target", target, "--prompt", "hello", "--seed", "1");
    assertEquals(0, r.exit(), r.err());
    assertEquals("re: hello\n", r.out());
  }

  @Test
  void generateJson() {
    Run r =
        run(
            "generate",
            "--target",
            target,
            "--prompt",
            "hello",
            "--max-tokens",
            "5",
            "--temperature",
            "0",
            "--json");
    assertEquals(0, r.exit(), r.err());
    JsonObject json = new JsonObject(r.out().trim());
    assertEquals("re: hello", json.getString("text"));
    assertEquals(3, json.getLong("model_version"));
    assertEquals("stop", json.getString("finish_reason"));
    assertEquals(2, json.getInteger("prompt_tokens"));
    assertEquals(2, json.getInteger("completion_tokens"));
    assertTrue(json.getString("id").startsWith("gen-"));
  }

  @Test
  void generateStreamPrintsDeltasAndJsonAtTheEnd() {
    assertEquals(
        "re: a b\n", run("generate", "--target", target, "--prompt", "a b", "--stream").out());
    Run json = run("generate", "--target", target, "--prompt", "a b", "--stream", "--json");
    assertEquals("re: a b", new JsonObject(json.out().trim()).getString("text"));
  }

  @Test
  void serverErrorsAreOneLineAndExitOne() {
    Run r = run("generate", "--target", target, "--prompt", "");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("INVALID_ARGUMENT: prompt: must not be empty"), r.err());
    Run f = run("feedback", "--target", target, "--id", "gen-unknown", "--up");
    assertEquals(1, f.exit());
    assertTrue(f.err().contains("NOT_FOUND"), f.err());
  }

  @Test
  void feedbackNeedsExactlyOneDirection() {
    Run ok =
        run("feedback", "--target", target, "--id", "gen-1", "--down", "--comment", "too long");
    assertEquals(0, ok.exit(), ok.err());
    assertEquals("recorded\n", ok.out());
    synchronized (feedback) {
      FeedbackRequest last = feedback.get(feedback.size() - 1);
      assertEquals(Rating.DOWN, last.getRating());
      assertEquals("too long", last.getComment());
    }
    assertEquals(2, run("feedback", "--target", target, "--id", "gen-1").exit());
    assertEquals(2, run("feedback", "--target", target, "--id", "gen-1", "--up", "--down").exit());
  }

  @Test
  void trainingEvaluateSendsVersionPromptsAndSeedAndPrintsJson() {
    Run r =
        run(
            "training",
            "evaluate",
            "--target",
            target,
            "--version",
            "2",
            "--prompts",
            "5",
            "--seed",
            "9",
            "--json");
    assertEquals(0, r.exit(), r.err());
    JsonObject json = new JsonObject(r.out().trim());
    assertEquals(2, json.getLong("model_version"));
    assertEquals(5, json.getInteger("prompts"));
    assertEquals(4, json.getInteger("wins"));
    assertEquals(9, json.getLong("seed"));
    assertEquals(0.25, json.getJsonObject("fluency").getDouble("repetition_rate"));

    Run served = run("training", "evaluate", "--target", target);
    assertEquals(0, served.exit(), served.err());
    assertTrue(served.out().startsWith("version 3 vs 0 on 0 prompts"), served.out());
    assertEquals(
        42,
        new JsonObject(run("training", "evaluate", "--target", target, "--json").out().trim())
            .getLong("seed"));

    Run unknown = run("training", "evaluate", "--target", target, "--version", "999");
    assertEquals(1, unknown.exit());
    assertTrue(unknown.err().contains("NOT_FOUND"), unknown.err());
  }

  @Test
  void trainingPublishSaysWhatItPublishedOrWhyNot() {
    Run first = run("training", "publish", "--target", target);
    assertEquals(0, first.exit(), first.err());
    assertEquals("published version 4 (step 40)\n", first.out());
    Run second = run("training", "publish", "--target", target);
    assertEquals(0, second.exit(), second.err());
    assertEquals("not published: nothing new to publish\n", second.out());
  }

  @Test
  void statusJson() {
    Run r = run("status", "--target", target, "--json");
    assertEquals(0, r.exit(), r.err());
    JsonObject json = new JsonObject(r.out().trim());
    assertEquals(3, json.getLong("model_version"));
    assertEquals(10, json.getJsonObject("counts").getLong("generations"));
    assertEquals(4, json.getJsonObject("counts").getLong("feedback"));
    JsonObject reward = json.getJsonObject("training").getJsonObject("reward_model");
    assertEquals(39, reward.getLong("steps"));
    assertEquals(0.65, reward.getDouble("accuracy"));
    assertTrue(reward.getBoolean("ready"));
    assertTrue(run("status", "--target", target).out().contains("generations 10, feedback 4"));
  }

  @Test
  void apiKeyGoesOutAsBearerAuthorization() {
    synchronized (statusAuthorization) {
      statusAuthorization.clear();
    }
    Run r = run("status", "--target", target, "--api-key", "user-9d8c7b6a5f4e3d2c", "--json");
    assertEquals(0, r.exit(), r.err());
    synchronized (statusAuthorization) {
      assertEquals(List.of("Bearer user-9d8c7b6a5f4e3d2c"), statusAuthorization);
    }
  }

  @Test
  void chatStreamsRepliesAndRatesTheLastOne() {
    BufferedReader input =
        new BufferedReader(new StringReader("hi there\n/up nice\nagain\n/quit\n"));
    Run r =
        run(new CommandLine(new ChatCommand(input)), "--target", target, "--client-id", "tester");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("re: hi there\n"), r.out());
    assertTrue(r.out().contains("(rated up)"), r.out());
    assertTrue(r.out().contains("re: again\n"), r.out());
    synchronized (feedback) {
      FeedbackRequest last = feedback.get(feedback.size() - 1);
      assertEquals("nice", last.getComment());
      assertEquals("tester", last.getClientId());
      assertEquals("gen-" + Math.abs("re: hi there".hashCode()), last.getGenerationId());
    }
  }

  @Test
  void badTargetIsAUsageError() {
    Run r = run("status", "--target", "nowhere");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("HOST:PORT"), r.err());
  }
}
