package sail.loadtest.bench;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sail.client.Target;
import sail.client.cli.SecurityOptions;

/** {@code ./sail loadtest bench-serving}: the issue-3 serving targets in one run. */
@Command(
    name = "bench-serving",
    mixinStandardHelpOptions = true,
    description =
        "Measures, against a running server: tokens/s at concurrency 1 and 16 and their ratio;"
            + " the RPC + HTTP share of latency at concurrency 1 (engine time from /metrics); and"
            + " how fast a cancelled stream's slot goes to a queued request. Prints one JSON"
            + " object. A server with keys needs an admin key (--api-key), as /metrics is"
            + " admin-only.")
public final class BenchServingCommand implements Callable<Integer> {
  @Option(names = "--target", required = true, description = "server address, HOST:PORT")
  String target;

  @Option(
      names = "--phase",
      defaultValue = "20s",
      description = "length of each throughput phase (default 20s)")
  Duration phase;

  @Option(names = "--warmup", defaultValue = "3s", description = "warm-up load (default 3s)")
  Duration warmup;

  @Option(
      names = "--high-concurrency",
      defaultValue = "16",
      description = "concurrency of the batched phase (default 16)")
  int highConcurrency;

  @Option(names = "--max-tokens", defaultValue = "64", description = "max_tokens (default 64)")
  int maxTokens;

  @Option(
      names = "--slot-trials",
      defaultValue = "5",
      description = "clean slot-reuse trials (default 5)")
  int slotTrials;

  @Option(
      names = "--slot-only",
      description = "measure only the cancelled-stream slot reuse (skips the throughput phases)")
  boolean slotOnly;

  @Option(names = "--json", description = "print compact JSON (default: indented)")
  boolean json;

  /** With keys configured the key must be an admin key: the engine timings are in /metrics. */
  @Mixin SecurityOptions security;

  @Override
  public Integer call() throws Exception {
    JsonObject result =
        ServingBenchmark.run(
            Target.parse(target),
            new ServingBenchmark.Settings(
                phase, warmup, highConcurrency, maxTokens, slotTrials, null, slotOnly),
            security.security());
    System.out.println(json ? result.encode() : result.encodePrettily());
    return 0;
  }
}
