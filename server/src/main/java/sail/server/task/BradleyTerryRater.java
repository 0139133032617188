package sail.server.task;

import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * Turns a scorer into noisy pairwise choices by the Bradley–Terry model (Bradley and Terry 1952),
 * with the logistic link used for preference data in RLHF and DPO (Rafailov et al. 2023, eq. 1):
 *
 * <pre>
 *   P(a ≻ b) = σ((s(a) − s(b)) / τ)
 * </pre>
 *
 * <p>τ is the temperature: as τ → 0 the rater always picks the higher score; large τ gives coin
 * flips. Pure: the random source is an argument, and nothing else changes.
 */
public final class BradleyTerryRater {
  /** A temperature at which a score gap of 0.1 is preferred about 73% of the time. */
  public static final double DEFAULT_TEMPERATURE = 0.1;

  /**
   * One simulated choice.
   *
   * @param chosen the reply the rater preferred
   * @param rejected the other reply
   * @param probabilityFirst P(first ≻ second) that the choice was drawn from
   */
  public record Judgement(String chosen, String rejected, double probabilityFirst) {}

  private final ToDoubleFunction<String> scorer;
  private final double temperature;

  /**
   * @param scorer the hidden score s, such as {@link SimulatedAnnotator#score}
   * @param temperature τ &gt; 0
   */
  public BradleyTerryRater(ToDoubleFunction<String> scorer, double temperature) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be positive and finite, got " + temperature);
    }
    this.scorer = scorer;
    this.temperature = temperature;
  }

  /** P(first ≻ second). */
  public double probabilityFirst(String first, String second) {
    double gap = scorer.applyAsDouble(first) - scorer.applyAsDouble(second);
    return SimulatedAnnotator.sigmoid(gap / temperature);
  }

  /**
   * Draws one choice between {@code first} and {@code second}, taking one value from {@code
   * random}.
   */
  public Judgement judge(String first, String second, RandomGenerator random) {
    double p = probabilityFirst(first, second);
    return random.nextDouble() < p
        ? new Judgement(first, second, p)
        : new Judgement(second, first, p);
  }
}
