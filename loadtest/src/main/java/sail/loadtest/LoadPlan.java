package sail.loadtest;

import java.time.Duration;
import java.util.OptionalDouble;
import sail.loadtest.users.CallMix;

/**
 * What a load run does, validated once.
 *
 * @param target server address, for the report
 * @param duration how long users start new requests
 * @param concurrency virtual users (closed loop: requests in flight)
 * @param mix unary or streaming calls
 * @param maxTokens {@code max_tokens} of every request
 * @param temperature sampling temperature; empty means the server default
 * @param noLog send {@code no_log}, so the load leaves no trace in the traffic log
 * @param requestTimeout deadline of each call
 * @param drainTimeout how long requests still running at the end are waited for
 * @param window length of the report's time windows
 * @param backoff pause of a user after an overload refusal or an error
 */
public record LoadPlan(
    String target,
    Duration duration,
    int concurrency,
    CallMix mix,
    int maxTokens,
    OptionalDouble temperature,
    boolean noLog,
    Duration requestTimeout,
    Duration drainTimeout,
    Duration window,
    Duration backoff) {

  public LoadPlan {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive, got " + requestTimeout);
    }
    if (drainTimeout.isNegative() || backoff.isNegative()) {
      throw new IllegalArgumentException("drain timeout and backoff must not be negative");
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, got " + window);
    }
  }

  /** A plan with the documented defaults for everything but target, duration and concurrency. */
  public static LoadPlan of(String target, Duration duration, int concurrency) {
    return new LoadPlan(
        target,
        duration,
        concurrency,
        CallMix.UNARY,
        64,
        OptionalDouble.empty(),
        false,
        Duration.ofSeconds(120),
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        Duration.ofMillis(50));
  }

  public LoadPlan withConcurrency(int users) {
    return new LoadPlan(
        target,
        duration,
        users,
        mix,
        maxTokens,
        temperature,
        noLog,
        requestTimeout,
        drainTimeout,
        window,
        backoff);
  }

  public LoadPlan withDuration(Duration length) {
    return new LoadPlan(
        target,
        length,
        concurrency,
        mix,
        maxTokens,
        temperature,
        noLog,
        requestTimeout,
        drainTimeout,
        window,
        backoff);
  }

  public LoadPlan withMix(CallMix callMix) {
    return new LoadPlan(
        target,
        duration,
        concurrency,
        callMix,
        maxTokens,
        temperature,
        noLog,
        requestTimeout,
        drainTimeout,
        window,
        backoff);
  }

  public LoadPlan withMaxTokens(int tokens) {
    return new LoadPlan(
        target,
        duration,
        concurrency,
        mix,
        tokens,
        temperature,
        noLog,
        requestTimeout,
        drainTimeout,
        window,
        backoff);
  }
}
