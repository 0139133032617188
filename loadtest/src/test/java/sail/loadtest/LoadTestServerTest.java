package sail.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.client.ClientSecurity;
import sail.loadtest.users.CallMix;
import sail.server.RunningServer;
import sail.server.testing.EchoGenerator;
import sail.server.testing.TestServer;

/** The closed loop against the real server on a random port, with the echo engine behind it. */
class LoadTestServerTest {
  @TempDir Path dir;

  static LoadPlan plan(RunningServer server, int concurrency, Duration duration) {
    return LoadPlan.of("127.0.0.1:" + server.port(), duration, concurrency);
  }

  @Test
  void unaryClosedLoopServesEveryRequest() throws Exception {
    try (EchoGenerator engine = new EchoGenerator(8, 64, 2)) {
      RunningServer server = TestServer.start(dir, engine);
      try {
        JsonObject r = LoadTestCommand.run(plan(server, 4, Duration.ofSeconds(1)));
        assertTrue(r.getLong("requests") > 0, r.encode());
        assertEquals(0, r.getLong("errors"), r.encode());
        assertEquals(0, r.getLong("overload_refusals"), r.encode());
        assertTrue(r.getDouble("throughput_rps") > 0, r.encode());
        assertTrue(r.getDouble("tokens_per_s") > 0, r.encode());
        assertTrue(r.getDouble("duration_s") >= 1.0 && r.getDouble("duration_s") < 3.0);
        assertEquals(0, r.getInteger("unfinished"));
        JsonObject latency = r.getJsonObject("latency_ms");
        assertTrue(latency.getDouble("p50") > 0);
        assertEquals(latency.getDouble("p50"), r.getJsonObject("ttft_ms").getDouble("p50"));
      } finally {
        server.close();
      }
    }
  }

  @Test
  void theApiKeyGoesWithEveryRequest() throws Exception {
    try (EchoGenerator engine = new EchoGenerator(8, 64, 2)) {
      RunningServer server =
          TestServer.startWithKeys(dir, engine, "user load-user-0123456789abcdef\n", Map.of());
      try {
        LoadRun run = LoadRun.closed(plan(server, 2, Duration.ofSeconds(1)));
        JsonObject without = LoadTestCommand.run(run);
        assertTrue(without.getLong("requests") > 0, without.encode());
        assertEquals(without.getLong("requests"), without.getLong("errors"), "refused: no key");
        JsonObject with =
            LoadTestCommand.run(run, new ClientSecurity(false, null, "load-user-0123456789abcdef"));
        assertTrue(with.getLong("requests") > 0, with.encode());
        assertEquals(0, with.getLong("errors"), with.encode());
      } finally {
        server.close();
      }
    }
  }

  @Test
  void theCommandLineTakesTheKeyAndTls() {
    LoadTestCommand command = new LoadTestCommand();
    new picocli.CommandLine(command)
        .registerConverter(Duration.class, Durations::parse)
        .parseArgs("--target", "127.0.0.1:1", "--api-key", "load-user-0123456789abcdef", "--tls");
    ClientSecurity security = command.security.security();
    assertTrue(security.tls());
    assertEquals("load-user-0123456789abcdef", security.apiKey());
  }

  @Test
  void streamingMeasuresTimeToFirstTokenBeforeTheEnd() throws Exception {
    // 10 ms per token and replies of several words: the first chunk comes well before the last
    try (EchoGenerator engine = new EchoGenerator(8, 64, 10)) {
      RunningServer server = TestServer.start(dir, engine);
      try {
        LoadPlan plan = plan(server, 2, Duration.ofSeconds(1)).withMix(CallMix.STREAM);
        JsonObject r = LoadTestCommand.run(plan);
        assertTrue(r.getLong("requests") > 0, r.encode());
        assertEquals(0, r.getLong("errors"), r.encode());
        assertEquals(true, r.getBoolean("stream"));
        assertTrue(
            r.getJsonObject("ttft_ms").getDouble("p50")
                < r.getJsonObject("latency_ms").getDouble("p50"),
            r.encode());
        assertTrue(r.getJsonObject("completion_tokens").getDouble("p50") >= 3, r.encode());
      } finally {
        server.close();
      }
    }
  }

  @Test
  void overloadRefusalsAreCountedApartFromErrors() throws Exception {
    // one slot, one queue place, 20 ms per token: six users overflow it
    try (EchoGenerator engine = new EchoGenerator(1, 1, 20)) {
      RunningServer server = TestServer.start(dir, engine);
      try {
        JsonObject r = LoadTestCommand.run(plan(server, 6, Duration.ofSeconds(1)));
        assertTrue(r.getLong("overload_refusals") > 0, r.encode());
        assertEquals(0, r.getLong("errors"), r.encode());
        assertTrue(r.getLong("succeeded") > 0, r.encode());
      } finally {
        server.close();
      }
    }
  }

  @Test
  void serverErrorsAreCountedByStatus() {
    // nothing listens on the port: every call fails without a status
    LoadPlan plan = LoadPlan.of("127.0.0.1:1", Duration.ofMillis(300), 1).withMaxTokens(4);
    JsonObject r = LoadTestCommand.run(plan);
    assertTrue(r.getLong("errors") > 0, r.encode());
    assertEquals(r.getLong("errors"), r.getJsonObject("errors_by_status").getLong("TRANSPORT"));
    assertEquals(0, r.getLong("succeeded"));
  }
}
