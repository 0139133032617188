package sail.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sail.client.ClientSecurity;
import sail.client.SailClient;
import sail.client.Target;
import sail.client.cli.SecurityOptions;
import sail.loadtest.bench.BenchServingCommand;
import sail.loadtest.bench.BenchTrainingCommand;
import sail.loadtest.report.HtmlReport;
import sail.loadtest.users.CallMix;
import sail.loadtest.users.FeedbackPolicy;
import sail.loadtest.users.HiddenJudge;

/**
 * {@code ./sail loadtest}: closed-loop load over the held-out prompts; prints a summary (or the
 * JSON report with {@code --json}) and writes the report to {@code --report}.
 */
@Command(
    name = "loadtest",
    mixinStandardHelpOptions = true,
    description =
        "Closed loop (N virtual users each send the next held-out prompt, wait for the reply and"
            + " repeat) or open loop (--rate: arrivals per second). With --preference the users"
            + " judge replies by a hidden taste and send thumbs and pairwise choices. Reports"
            + " latency, time to first token, throughput (HdrHistogram) and, per window, the mean"
            + " hidden score and the model version served.",
    subcommands = {BenchServingCommand.class, BenchTrainingCommand.class})
public final class LoadTestCommand implements Callable<Integer> {
  // not required by picocli, or `loadtest bench-serving --target ...` would ask for it twice
  @Option(names = "--target", description = "server address, HOST:PORT (required)")
  String target;

  @Mixin SecurityOptions security;

  @Option(
      names = "--duration",
      defaultValue = "60s",
      description = "how long new requests are started (e.g. 30s, 2m; default 60s)")
  Duration duration;

  @Option(names = "--concurrency", defaultValue = "1", description = "virtual users (default 1)")
  int concurrency;

  @Option(names = "--stream", description = "use GenerateStream instead of unary Generate")
  boolean stream;

  @Option(
      names = "--stream-share",
      description = "share of requests that stream (0..1; overrides --stream)")
  Double streamShare;

  @Option(
      names = "--rate",
      description = "open loop: mean arrivals per second (Poisson); default: closed loop")
  Double rate;

  @Option(
      names = "--preference",
      description =
          "users judge replies by this hidden preference and give feedback:"
              + " positive-sentiment, family-topic")
  String preference;

  @Option(
      names = "--compare-share",
      defaultValue = "0.5",
      description = "share of requests asking for two candidates (default 0.5)")
  double compareShare;

  @Option(
      names = "--prefer-share",
      defaultValue = "0.9",
      description = "share of two-candidate replies answered with a choice (default 0.9)")
  double preferShare;

  @Option(
      names = "--rate-share",
      defaultValue = "0.5",
      description = "share of one-candidate replies rated thumbs up/down (default 0.5)")
  double rateShare;

  @Option(names = "--html", description = "also write a self-contained HTML report here")
  Path html;

  @Option(names = "--max-tokens", defaultValue = "64", description = "max_tokens (default 64)")
  int maxTokens;

  @Option(names = "--temperature", description = "sampling temperature (default: the server's)")
  Double temperature;

  @Option(names = "--no-log", description = "ask the server not to store the load's generations")
  boolean noLog;

  @Option(
      names = "--timeout",
      defaultValue = "120s",
      description = "deadline of each request (default 120s)")
  Duration timeout;

  @Option(
      names = "--drain-timeout",
      defaultValue = "30s",
      description = "how long requests running at the end are waited for (default 30s)")
  Duration drainTimeout;

  @Option(
      names = "--window",
      defaultValue = "10s",
      description = "length of the report's time windows (default 10s)")
  Duration window;

  @Option(names = "--report", description = "also write the JSON report to this file")
  Path report;

  @Option(names = "--json", description = "print the JSON report instead of a summary")
  boolean json;

  @Override
  public Integer call() throws IOException {
    if (target == null) {
      throw new IllegalArgumentException("--target HOST:PORT is required");
    }
    LoadPlan plan =
        new LoadPlan(
            Target.parse(target).toString(),
            duration,
            concurrency,
            streamShare != null
                ? new CallMix(streamShare)
                : stream ? CallMix.STREAM : CallMix.UNARY,
            maxTokens,
            temperature == null ? OptionalDouble.empty() : OptionalDouble.of(temperature),
            noLog,
            timeout,
            drainTimeout,
            window,
            Duration.ofMillis(50));
    LoadRun run =
        new LoadRun(
            plan,
            rate == null ? 0 : rate,
            preference == null ? null : HiddenJudge.named(preference),
            new FeedbackPolicy(compareShare, preferShare, rateShare),
            42);
    JsonObject result = run(run, security.security());
    if (report != null) {
      Files.writeString(report, result.encodePrettily() + "\n", StandardCharsets.UTF_8);
    }
    if (html != null) {
      Files.writeString(html, HtmlReport.render("SAIL load test", result), StandardCharsets.UTF_8);
    }
    System.out.println(json ? result.encode() : summary(result));
    return 0;
  }

  /** Runs {@code plan} closed-loop against its target with plain users; blocks. */
  public static JsonObject run(LoadPlan plan) {
    return run(LoadRun.closed(plan));
  }

  /** Runs {@code run} against its target over the held-out prompts; blocks until reported. */
  public static JsonObject run(LoadRun run) {
    return run(run, ClientSecurity.NONE);
  }

  /**
   * Runs {@code run} against its target with TLS and an API key as {@code security} says; blocks
   * until reported.
   */
  public static JsonObject run(LoadRun run, ClientSecurity security) {
    LoadPlan plan = run.plan();
    Vertx vertx = Vertx.vertx();
    SailClient client =
        new SailClient(vertx, Target.parse(plan.target()), plan.requestTimeout(), security);
    try {
      return run.execute(vertx, client, LoadTest.heldOutPrompts());
    } finally {
      // closing the connections cancels whatever outlived the drain timeout
      client.close();
      vertx.close().await();
    }
  }

  static String summary(JsonObject r) {
    JsonObject latency = r.getJsonObject("latency_ms");
    JsonObject ttft = r.getJsonObject("ttft_ms");
    return String.format(
            "%d requests in %.1f s at concurrency %d (%s stream share): %.2f req/s, %.1f tokens/s%n"
                + "errors %d %s, overload refusals %d, unfinished %d%n"
                + "latency ms  p50 %.1f  p90 %.1f  p99 %.1f  mean %.1f  max %.1f%n"
                + "ttft ms     p50 %.1f  p90 %.1f  p99 %.1f  mean %.1f  max %.1f",
            r.getLong("requests"),
            r.getDouble("duration_s"),
            r.getInteger("concurrency"),
            String.valueOf(r.getDouble("stream_share")),
            r.getDouble("throughput_rps"),
            r.getDouble("tokens_per_s"),
            r.getLong("errors"),
            r.getJsonObject("errors_by_status").encode(),
            r.getLong("overload_refusals"),
            r.getInteger("unfinished"),
            latency.getDouble("p50"),
            latency.getDouble("p90"),
            latency.getDouble("p99"),
            latency.getDouble("mean"),
            latency.getDouble("max"),
            ttft.getDouble("p50"),
            ttft.getDouble("p90"),
            ttft.getDouble("p99"),
            ttft.getDouble("mean"),
            ttft.getDouble("max"))
        + (r.containsKey("feedback")
            ? String.format(
                "%nfeedback %s; mean hidden score %s",
                r.getJsonObject("feedback").encode(), meanScore(r))
            : "");
  }

  /** The mean hidden score over the run's windows, weighted by judged replies. */
  static String meanScore(JsonObject r) {
    double sum = 0;
    long n = 0;
    for (Object o : r.getJsonArray("windows")) {
      JsonObject w = (JsonObject) o;
      long scored = w.getLong("scored", 0L);
      if (scored > 0) {
        sum += w.getDouble("mean_score") * scored;
        n += scored;
      }
    }
    return n == 0 ? "n/a" : String.format("%.4f", sum / n);
  }
}
