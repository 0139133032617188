package sail.server.training.guard;

import java.util.List;

/**
 * The outcome of the publish guards for one candidate version. A failed guard skips the publish.
 *
 * @param checks one entry per guard evaluated, in {@link Guard} order
 */
public record GuardReport(List<Check> checks) {
  /**
   * One guard.
   *
   * @param guard which check
   * @param value the candidate's value
   * @param bound the limit it was held to
   * @param upperBound true when the value must not exceed the bound, false when it must reach it
   * @param passed whether it held
   */
  public record Check(Guard guard, double value, double bound, boolean upperBound, boolean passed) {
    static Check atMost(Guard guard, double value, double bound) {
      return new Check(guard, value, bound, true, value <= bound);
    }

    static Check atLeast(Guard guard, double value, double bound) {
      return new Check(guard, value, bound, false, value >= bound);
    }
  }

  public GuardReport {
    checks = List.copyOf(checks);
  }

  /** Whether every guard held. */
  public boolean passed() {
    return checks.stream().allMatch(Check::passed);
  }

  public List<Check> failures() {
    return checks.stream().filter(check -> !check.passed()).toList();
  }
}
