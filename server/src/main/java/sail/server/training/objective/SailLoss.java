package sail.server.training.objective;

/**
 * The per-example SAIL loss on plain doubles (sail-objective.md, section 4):
 *
 * <pre>
 *   L = −s − (c_B/2)·s² − c_A·sg(s − b)·(ℓ_w + ℓ_l),      s = log σ(β·h)
 *   ∂L/∂ℓ_w = −g·(1 + c_B·s) − c_A·(s − b)
 *   ∂L/∂ℓ_l = +g·(1 + c_B·s) − c_A·(s − b),               g = β·σ(−β·h)
 * </pre>
 *
 * Computed in double, which is at least as precise as the fp32 the section asks for; the tensor
 * path ({@link SurrogateLoss}) computes the same formulas in fp32.
 */
public final class SailLoss {
  /**
   * In the reference-code form of term A, sides whose summed log-prob is above −EPSILON (an empty
   * response) get no term A instead of an unbounded −c·s/ℓ.
   */
  public static final double EPSILON = 1e-6;

  private SailLoss() {}

  /** softplus(x) = log(1 + eˣ), without overflow for large x or cancellation for small x. */
  public static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** log σ(z) = −softplus(−z) (section 1). */
  public static double logSigmoid(double z) {
    return -softplus(-z);
  }

  /** σ(z), without overflow for either sign. */
  public static double sigmoid(double z) {
    if (z >= 0) {
      return 1 / (1 + Math.exp(-z));
    }
    double e = Math.exp(z);
    return e / (1 + e);
  }

  /** The loss of one row on {@code route} under {@code config}, with baseline {@code b}. */
  public static ExampleLoss example(
      ObjectiveConfig config, Route route, PairLogProbs pair, double baseline) {
    return example(
        pair,
        config.beta(),
        config.coefficientsOf(route),
        baseline,
        config.termAForm(),
        config.clamp());
  }

  /** The loss of one row with explicit coefficients (c_A, c_B) and baseline b. */
  public static ExampleLoss example(
      PairLogProbs pair,
      double beta,
      RouteCoefficients c,
      double baseline,
      TermAForm form,
      ClampMode clamp) {
    double cA = c.termA();
    double cB = c.termB();

    // DPO part: margin, s = log σ(β·h), g = β·σ(−β·h)
    double h = pair.h();
    double margin = beta * h;
    double s = logSigmoid(margin);
    double pSwap = sigmoid(-margin);
    double g = beta * pSwap;

    // term B: −s − (c_B/2)s², which reweights the DPO gradient by 1 + c_B·s
    double weight = 1 + cB * s;
    boolean clamped = clamp != ClampMode.NONE && cB > 0 && weight < 0;
    double loss;
    if (!clamped) {
      loss = -s - cB / 2 * s * s;
    } else {
      double floor = -1 / cB;
      if (clamp == ClampMode.WEIGHT) {
        loss = -floor - cB / 2 * floor * floor;
        weight = 0;
      } else {
        loss = -s - cB / 2 * floor * floor;
        weight = 1;
      }
    }
    double dpoGradient = -g * weight;

    // term A: score-function term of policy-sampled responses, s − b held fixed
    double advantage = s - baseline;
    double termAChosen;
    double termARejected;
    if (form == TermAForm.DERIVED) {
      termAChosen = -cA * advantage;
      termARejected = termAChosen;
    } else {
      termAChosen = referenceTermA(cA, advantage, pair.policyChosen());
      termARejected = referenceTermA(cA, advantage, pair.policyRejected());
    }
    return new ExampleLoss(
        h, margin, s, loss, weight, clamped, dpoGradient, termAChosen, termARejected, pSwap);
  }

  /** −c·(s − b)/ℓ, the gradient of −c·sg(s − b)·log(−ℓ) (section 5). */
  private static double referenceTermA(double cA, double advantage, double logProb) {
    if (logProb > -EPSILON) {
      return 0;
    }
    return -cA * advantage / logProb;
  }
}
