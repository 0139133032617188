package sail.server.training.objective;

import java.util.Objects;

/**
 * Everything that defines the SAIL objective of a training run (sail-objective.md, sections 3–5 and
 * 7). Immutable and validated on construction.
 *
 * @param beta β, the inverse temperature of the implicit reward; &gt; 0. Authors' value 0.1.
 * @param mixture the probability of each route per row
 * @param coefficients the gradient coefficients (ρ, π, γ) of the extra terms
 * @param termAForm the derived form (default) or the authors' code's form of term A
 * @param baseline the baseline of term A (default none)
 * @param clamp the guard on the unbounded term B (default none, as in the paper)
 * @param revKlCoef λ of the reverse-KL term of section 7; 0 (the default) switches it off
 */
public record ObjectiveConfig(
    double beta,
    MixtureWeights mixture,
    GradientCoefficients coefficients,
    TermAForm termAForm,
    BaselineMode baseline,
    ClampMode clamp,
    double revKlCoef) {

  /** The authors' β. */
  public static final double DEFAULT_BETA = 0.1;

  public ObjectiveConfig {
    if (!(beta > 0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("beta = " + beta + " must be a finite number > 0");
    }
    Objects.requireNonNull(mixture, "mixture");
    Objects.requireNonNull(coefficients, "coefficients");
    Objects.requireNonNull(termAForm, "termAForm");
    Objects.requireNonNull(baseline, "baseline");
    Objects.requireNonNull(clamp, "clamp");
    if (!(revKlCoef >= 0) || !Double.isFinite(revKlCoef)) {
      throw new IllegalArgumentException(
          "revKlCoef = " + revKlCoef + " must be a finite number >= 0 (0 switches it off)");
    }
  }

  /** Plain DPO: every row offline, no extra terms. */
  public static ObjectiveConfig dpo() {
    return of(MixtureWeights.OFFLINE, GradientCoefficients.NONE);
  }

  /** The authors' SAIL-DDP preset: r = 0.4, ρ = 0.2. */
  public static ObjectiveConfig sailDdp() {
    return of(new MixtureWeights(0.4, 0, 0), new GradientCoefficients(0.2, 0, 0));
  }

  /** The authors' SAIL-DPP preset: p = 0.3, π = 0.2. */
  public static ObjectiveConfig sailDpp() {
    return of(new MixtureWeights(0, 0.3, 0), new GradientCoefficients(0, 0.2, 0));
  }

  /** The authors' SAIL-DPR preset: g = 0.3, γ = 0.3. */
  public static ObjectiveConfig sailDpr() {
    return of(new MixtureWeights(0, 0, 0.3), new GradientCoefficients(0, 0, 0.3));
  }

  /** β = 0.1 and the defaults for everything but the routes. */
  public static ObjectiveConfig of(MixtureWeights mixture, GradientCoefficients coefficients) {
    return new ObjectiveConfig(
        DEFAULT_BETA,
        mixture,
        coefficients,
        TermAForm.DERIVED,
        BaselineMode.NONE,
        ClampMode.NONE,
        0);
  }

  /** (c_A, c_B) of a row on {@code route}. */
  public RouteCoefficients coefficientsOf(Route route) {
    return route.coefficients(coefficients);
  }

  public ObjectiveConfig withBeta(double value) {
    return new ObjectiveConfig(value, mixture, coefficients, termAForm, baseline, clamp, revKlCoef);
  }

  public ObjectiveConfig withMixture(MixtureWeights value) {
    return new ObjectiveConfig(beta, value, coefficients, termAForm, baseline, clamp, revKlCoef);
  }

  public ObjectiveConfig withCoefficients(GradientCoefficients value) {
    return new ObjectiveConfig(beta, mixture, value, termAForm, baseline, clamp, revKlCoef);
  }

  public ObjectiveConfig withTermAForm(TermAForm value) {
    return new ObjectiveConfig(beta, mixture, coefficients, value, baseline, clamp, revKlCoef);
  }

  public ObjectiveConfig withBaseline(BaselineMode value) {
    return new ObjectiveConfig(beta, mixture, coefficients, termAForm, value, clamp, revKlCoef);
  }

  public ObjectiveConfig withClamp(ClampMode value) {
    return new ObjectiveConfig(beta, mixture, coefficients, termAForm, baseline, value, revKlCoef);
  }

  public ObjectiveConfig withRevKlCoef(double value) {
    return new ObjectiveConfig(beta, mixture, coefficients, termAForm, baseline, clamp, value);
  }
}
