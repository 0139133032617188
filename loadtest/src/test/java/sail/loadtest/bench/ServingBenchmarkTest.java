package sail.loadtest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.client.ClientSecurity;
import sail.client.Target;
import sail.server.RunningServer;
import sail.server.testing.EchoGenerator;
import sail.server.testing.SelfSignedCertificate;
import sail.server.testing.TestServer;

/**
 * The serving benchmark end to end against the echo engine: the echo engine exposes no engine
 * timings, so the overhead fraction is null, but every other figure is measured.
 */
class ServingBenchmarkTest {
  @TempDir Path dir;

  @Test
  void theServerExposesTheEngineTimingsTheBenchmarkReads() throws Exception {
    try (EchoGenerator engine = new EchoGenerator(1, 1, 5)) {
      RunningServer server = TestServer.start(dir, engine);
      try {
        PrometheusText metrics =
            PrometheusText.scrape(HttpClient.newHttpClient(), "127.0.0.1", server.port());
        for (String name :
            List.of(
                "sail_engine_decode_step_seconds_count",
                "sail_engine_decode_step_seconds_sum",
                "sail_engine_prefill_seconds_count",
                "sail_engine_prefill_seconds_sum",
                "sail_engine_decode_rows_total")) {
          assertTrue(metrics.has(name), "/metrics lacks " + name);
        }
      } finally {
        server.close();
      }
    }
  }

  @Test
  void measuresThroughputRatioAndSlotReuse() throws Exception {
    // four slots at 5 ms per token; probe streams of 300 words last about 1.5 s
    try (EchoGenerator engine = new EchoGenerator(4, 8, 5)) {
      RunningServer server = TestServer.start(dir, engine);
      try {
        JsonObject r =
            ServingBenchmark.run(
                new Target("127.0.0.1", server.port()),
                new ServingBenchmark.Settings(
                    Duration.ofSeconds(1),
                    Duration.ZERO,
                    4,
                    16,
                    2,
                    "word ".repeat(300).trim(),
                    false));
        JsonObject throughput = r.getJsonObject("throughput");
        assertTrue(throughput.getDouble("tokens_per_s_c1") > 0, r.encode());
        // four slots in parallel: clearly more than one, at most four
        assertTrue(throughput.getDouble("ratio") > 1.5, r.encode());
        assertEquals(0, throughput.getLong("errors"));

        JsonObject overhead = r.getJsonObject("overhead");
        assertTrue(overhead.getDouble("client_latency_ms_mean") > 0);
        assertTrue(overhead.containsKey("overhead_fraction"));
        assertNotNull(overhead.getDouble("server_ms_per_request"), r.encode());

        JsonObject slot = r.getJsonObject("slot_reuse");
        assertTrue(slot.getInteger("clean_trials") >= 1, r.encode());
        // the echo engine admits at the next 5 ms step: well under a second
        assertTrue(slot.getDouble("reuse_ms_median") < 1000, r.encode());
        assertNotNull(slot.getDouble("chunk_gap_ms_client_median"), r.encode());
      } finally {
        server.close();
      }
    }
  }

  @Test
  void measuresOverTlsWithAnAdminKeyAndNamesTheKeyAUserKeyLacks() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create(dir);
    String admin = "bench-admin-0123456789abcdef";
    String user = "bench-user-0123456789abcdef";
    try (EchoGenerator engine = new EchoGenerator(2, 8, 5)) {
      RunningServer server =
          TestServer.startWithKeys(
              dir,
              engine,
              "admin " + admin + "\nuser " + user + "\n",
              Map.of(
                  "security.tls_cert", certificate.certificate().toString(),
                  "security.tls_key", certificate.privateKey().toString()));
      try {
        Target target = new Target("127.0.0.1", server.port());
        ServingBenchmark.Settings slotOnly =
            new ServingBenchmark.Settings(
                Duration.ofSeconds(1), Duration.ZERO, 2, 16, 1, "word ".repeat(300).trim(), true);
        JsonObject r =
            ServingBenchmark.run(
                target, slotOnly, new ClientSecurity(true, certificate.certificate(), admin));
        assertTrue(r.getJsonObject("slot_reuse").getInteger("clean_trials") >= 1, r.encode());

        Exception refused =
            assertThrows(
                Exception.class,
                () ->
                    ServingBenchmark.run(
                        target,
                        slotOnly,
                        new ClientSecurity(true, certificate.certificate(), user)));
        assertTrue(String.valueOf(refused.getMessage()).contains("admin"), refused.toString());
      } finally {
        server.close();
      }
    }
  }
}
