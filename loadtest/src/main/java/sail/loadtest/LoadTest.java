package sail.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import sail.client.SailClient;
import sail.loadtest.run.ClosedLoop;
import sail.loadtest.run.RunResult;
import sail.loadtest.stats.RunStats;
import sail.loadtest.users.GenerationUser;
import sail.loadtest.users.PromptSource;
import sail.loadtest.users.VirtualUser;
import sail.server.task.Prompt;
import sail.server.task.PromptSets;
import sail.v1.GenerateRequest;

/** Runs a load plan: builds the virtual users, drives them, reports. */
public final class LoadTest {
  /** Stored with every generation the load test asks for. */
  public static final String CLIENT_ID = "sail-loadtest";

  private LoadTest() {}

  /** The held-out prompts of the default task, in their file order. */
  public static PromptSource heldOutPrompts() {
    return PromptSource.cycle(PromptSets.loadHeldOut().stream().map(Prompt::prompt).toList());
  }

  /** Plain users sending prompts from {@code prompts} as {@code plan} says. */
  public static VirtualUser.Factory generationUsers(
      SailClient client, PromptSource prompts, LoadPlan plan) {
    GenerateRequest.Builder template =
        GenerateRequest.newBuilder()
            .setMaxTokens(plan.maxTokens())
            .setNoLog(plan.noLog())
            .setClientId(CLIENT_ID);
    plan.temperature().ifPresent(template::setTemperature);
    GenerateRequest built = template.build();
    SplittableRandom seeds = new SplittableRandom(42);
    return index -> new GenerationUser(client, prompts, built, plan.mix(), seeds.split());
  }

  /** Runs {@code plan} closed-loop with users from {@code users}. */
  public static Future<RunResult> closedLoop(
      Vertx vertx, LoadPlan plan, VirtualUser.Factory users) {
    List<VirtualUser> created = new ArrayList<>(plan.concurrency());
    for (int i = 0; i < plan.concurrency(); i++) {
      created.add(users.create(i));
    }
    return new ClosedLoop(vertx, plan.duration(), plan.drainTimeout(), plan.backoff())
        .run(created, new RunStats(plan.window()));
  }
}
