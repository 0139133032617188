package sail.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.client.SailClient;
import sail.client.Target;
import sail.loadtest.users.CallMix;
import sail.loadtest.users.FeedbackPolicy;
import sail.loadtest.users.HiddenJudge;
import sail.loadtest.users.PromptSource;
import sail.server.RunningServer;
import sail.server.data.Counts;
import sail.server.testing.EchoGenerator;
import sail.server.testing.TestServer;

/**
 * Users with a hidden preference against the real server (echo engine): feedback reaches the log.
 */
class FeedbackLoadTest {
  @TempDir Path dir;

  static JsonObject run(RunningServer server, double rate, FeedbackPolicy policy) {
    LoadPlan plan =
        LoadPlan.of("127.0.0.1:" + server.port(), Duration.ofSeconds(1), 3)
            .withMix(new CallMix(0.5))
            .withMaxTokens(8);
    Vertx vertx = Vertx.vertx();
    SailClient client = new SailClient(vertx, Target.parse(plan.target()), Duration.ofSeconds(10));
    try {
      return new LoadRun(plan, rate, HiddenJudge.named("positive-sentiment"), policy, 5)
          .execute(vertx, client, PromptSource.cycle(List.of("a lovely day", "a dreadful night")));
    } finally {
      client.close();
      vertx.close().await();
    }
  }

  @Test
  void everyLabelIsAcknowledgedAndLogged() throws Exception {
    try (EchoGenerator engine = new EchoGenerator(8, 64, 2)) {
      RunningServer server = TestServer.start(dir, engine);
      try {
        JsonObject r = run(server, 0, new FeedbackPolicy(0.5, 1.0, 1.0));
        assertEquals(0, r.getLong("errors"), r.encode());
        JsonObject feedback = r.getJsonObject("feedback");
        long ratings = feedback.getLong("thumbs_up") + feedback.getLong("thumbs_down");
        long choices = feedback.getLong("pairwise_choices");
        assertTrue(ratings > 0 && choices > 0, feedback.encode());
        // every reply got its label: rate and prefer shares are 1
        assertEquals(r.getLong("succeeded"), ratings + choices, r.encode());
        assertEquals(ratings + choices, feedback.getLong("acknowledged"));
        assertEquals(0, feedback.getLong("failed"));
        server.trafficLog().flush().get();
        Counts counts = server.trafficLog().counts();
        assertEquals(ratings, counts.feedback());
        assertEquals(choices, counts.preferences());

        assertEquals("positive-sentiment", r.getString("preference"));
        JsonObject window = r.getJsonArray("windows").getJsonObject(0);
        assertNotNull(window.getDouble("mean_score"), window.encode());
        assertTrue(window.getLong("scored") > 0);
        assertEquals(1L, window.getLong("model_version"));
      } finally {
        server.close();
      }
    }
  }

  @Test
  void openLoopReportsItsScheduleAndSilentUsersSendNothing() throws Exception {
    try (EchoGenerator engine = new EchoGenerator(8, 64, 2)) {
      RunningServer server = TestServer.start(dir, engine);
      try {
        JsonObject r = run(server, 20, FeedbackPolicy.SILENT);
        assertEquals("open_loop", r.getString("mode"));
        assertEquals(20.0, r.getDouble("rate_rps"));
        assertTrue(r.getLong("arrivals") > 0, r.encode());
        assertEquals(r.getLong("arrivals") - r.getLong("skipped"), r.getLong("requests"));
        assertEquals(0, r.getJsonObject("feedback").getLong("acknowledged"));
        server.trafficLog().flush().get();
        assertEquals(0, server.trafficLog().counts().feedback());
      } finally {
        server.close();
      }
    }
  }
}
