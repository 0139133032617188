package sail.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import sail.client.SailClient;
import sail.loadtest.run.OpenLoop;
import sail.loadtest.run.RunResult;
import sail.loadtest.stats.RunStats;
import sail.loadtest.users.FeedbackCounters;
import sail.loadtest.users.FeedbackPolicy;
import sail.loadtest.users.FeedbackUser;
import sail.loadtest.users.HiddenJudge;
import sail.loadtest.users.PromptSource;
import sail.loadtest.users.VirtualUser;
import sail.v1.GenerateRequest;

/**
 * One load run: a {@link LoadPlan}, closed loop or open loop at a target rate, with plain users or
 * users who judge replies by a hidden preference and give feedback.
 *
 * @param plan target, duration, concurrency (closed loop: users; open loop: users arrivals are
 *     spread over), call mix, sampling
 * @param ratePerSecond open-loop arrival rate; 0 for a closed loop
 * @param judge the users' hidden taste, or null for users who only read
 * @param feedback how often judging users give feedback
 * @param seed seeds the users' draws and the arrivals
 */
public record LoadRun(
    LoadPlan plan, double ratePerSecond, HiddenJudge judge, FeedbackPolicy feedback, long seed) {
  /** Client-side cap on interactions in flight in an open loop, per virtual user. */
  static final int OPEN_LOOP_IN_FLIGHT_PER_USER = 4;

  public LoadRun {
    if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) {
      throw new IllegalArgumentException("rate must be >= 0, got " + ratePerSecond);
    }
  }

  /** Plain users in a closed loop. */
  public static LoadRun closed(LoadPlan plan) {
    return new LoadRun(plan, 0, null, FeedbackPolicy.SILENT, 42);
  }

  /** Runs against {@code client}'s server; blocks; returns the JSON report. */
  public JsonObject execute(Vertx vertx, SailClient client, PromptSource prompts) {
    FeedbackCounters counters = new FeedbackCounters();
    VirtualUser.Factory users =
        judge == null
            ? LoadTest.generationUsers(client, prompts, plan)
            : feedbackUsers(client, prompts, counters);
    JsonObject report;
    if (ratePerSecond > 0) {
      List<VirtualUser> created = create(users);
      OpenLoop.OpenLoopResult result =
          new OpenLoop(
                  vertx,
                  plan.duration(),
                  plan.drainTimeout(),
                  ratePerSecond,
                  OPEN_LOOP_IN_FLIGHT_PER_USER * plan.concurrency(),
                  seed)
              .run(created, new RunStats(plan.window()))
              .await();
      report =
          LoadReport.toJson(plan, result.run())
              .put("mode", "open_loop")
              .put("rate_rps", ratePerSecond)
              .put("arrivals", result.arrivals())
              .put("skipped", result.skipped());
    } else {
      RunResult result = LoadTest.closedLoop(vertx, plan, users).await();
      report = LoadReport.toJson(plan, result);
    }
    if (judge != null) {
      report
          .put("preference", judge.preferenceName())
          .put("feedback", counters.toJson())
          .put(
              "feedback_policy",
              new JsonObject()
                  .put("compare_share", feedback.compareShare())
                  .put("prefer_share", feedback.preferShare())
                  .put("rate_share", feedback.rateShare()));
    }
    return report;
  }

  private List<VirtualUser> create(VirtualUser.Factory users) {
    List<VirtualUser> created = new ArrayList<>(plan.concurrency());
    for (int i = 0; i < plan.concurrency(); i++) {
      created.add(users.create(i));
    }
    return created;
  }

  private VirtualUser.Factory feedbackUsers(
      SailClient client, PromptSource prompts, FeedbackCounters counters) {
    GenerateRequest.Builder template =
        GenerateRequest.newBuilder().setMaxTokens(plan.maxTokens()).setNoLog(plan.noLog());
    plan.temperature().ifPresent(template::setTemperature);
    GenerateRequest built = template.build();
    SplittableRandom seeds = new SplittableRandom(seed);
    return index ->
        new FeedbackUser(
            client,
            prompts,
            built,
            plan.mix(),
            judge,
            feedback,
            counters,
            "simulated-user-" + index,
            seeds.split());
  }
}
