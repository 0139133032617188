package sail.server.training.objective;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The SAIL objective as an autograd surrogate: a scalar whose gradient with respect to the policy
 * log-probs ℓ_w, ℓ_l equals the derivatives of {@link SailLoss}, averaged over the batch
 * (sail-objective.md, section 4):
 *
 * <pre>
 *   objective = mean_i [ −s_i − (c_B/2)·s_i² − c_A·sg(s_i − b)·(ℓ_w,i + ℓ_l,i) ]       (derived)
 *   term A, reference-code form: − c_A·sg(s_i − b)·(log(−ℓ_w,i) + log(−ℓ_l,i))        (section 5)
 * </pre>
 *
 * The objective's value mixes in term A's surrogate and means nothing; log {@link Surrogate#loss()}
 * instead. Computed in fp32 whatever the input type. Intermediates are attached to the manager of
 * {@code policyChosen}: call inside an {@link ai.djl.ndarray.NDScope} or a sub-manager per step.
 */
public final class SurrogateLoss {
  private SurrogateLoss() {}

  /**
   * The surrogate and its detached by-products.
   *
   * @param objective scalar to call {@code backward} on
   * @param loss detached scalar, the mean of −s − (c_B/2)·s² after the clamp (what {@link
   *     BatchLoss#loss()} reports)
   * @param s detached (B), log σ(β·h) of each row
   * @param baseline detached scalar, the b used for term A
   */
  public record Surrogate(NDArray objective, NDArray loss, NDArray s, NDArray baseline) {}

  /**
   * The surrogate of a batch whose row i took {@code routes.get(i)}, with the coefficients,
   * baseline, term-A form and clamp of {@code config}.
   */
  public static Surrogate build(ObjectiveConfig config, List<Route> routes, LogProbBatch batch) {
    int n = batch.size();
    if (routes.size() != n) {
      throw new IllegalArgumentException(routes.size() + " routes for a batch of " + n);
    }
    float[] cA = new float[n];
    float[] cB = new float[n];
    float[] inA = new float[n];
    int countA = 0;
    for (int i = 0; i < n; i++) {
      Route route = routes.get(i);
      RouteCoefficients c = config.coefficientsOf(route);
      cA[i] = (float) c.termA();
      cB[i] = (float) c.termB();
      if (route.hasTermA()) {
        inA[i] = 1;
        countA++;
      }
    }
    UnaryOperator<NDArray> baseline;
    if (config.baseline() == BaselineMode.NONE || countA == 0) {
      baseline = s -> s.zerosLike().sum();
    } else {
      // mean of s over the term-A rows
      int rowsA = countA;
      baseline = s -> s.mul(constant(batch.policyChosen(), inA)).sum().div(rowsA);
    }
    return assemble(batch, config.beta(), cA, cB, baseline, config.termAForm(), config.clamp());
  }

  /**
   * The surrogate with explicit per-row coefficients c_A, c_B and baselines b, each of length B.
   */
  public static Surrogate build(
      LogProbBatch batch,
      double beta,
      float[] termA,
      float[] termB,
      float[] baseline,
      TermAForm form,
      ClampMode clamp) {
    int n = batch.size();
    if (termA.length != n || termB.length != n || baseline.length != n) {
      throw new IllegalArgumentException(
          "per-row coefficient arrays must have the batch size " + n);
    }
    return assemble(
        batch, beta, termA, termB, s -> constant(batch.policyChosen(), baseline), form, clamp);
  }

  private static Surrogate assemble(
      LogProbBatch batch,
      double beta,
      float[] termA,
      float[] termB,
      UnaryOperator<NDArray> baselineOf,
      TermAForm form,
      ClampMode clamp) {
    NDArray like = batch.policyChosen();
    NDArray lw = fp32(batch.policyChosen()); // (B), with gradient
    NDArray ll = fp32(batch.policyRejected()); // (B), with gradient
    NDArray rw = fp32(batch.refChosen()).stopGradient(); // (B)
    NDArray rl = fp32(batch.refRejected()).stopGradient(); // (B)
    NDArray cA = constant(like, termA); // (B)
    NDArray cB = constant(like, termB); // (B)
    NDArray halfCB = cB.div(2); // (B)

    // DPO: h, margin β·h, s = log σ(β·h) = −softplus(−β·h)
    NDArray h = lw.sub(rw).sub(ll.sub(rl));
    NDArray s = Activation.softPlus(h.mul((float) beta).neg()).neg();

    // term B: −s − (c_B/2)s², with the clamp at s = −1/c_B where 1 + c_B·s turns negative
    NDArray termBValue;
    if (clamp == ClampMode.NONE) {
      termBValue = s.neg().sub(halfCB.mul(s.square()));
    } else {
      float[] floors = new float[termB.length];
      for (int i = 0; i < floors.length; i++) {
        floors[i] = termB[i] > 0 ? -1 / termB[i] : Float.NEGATIVE_INFINITY;
      }
      NDArray floored = s.maximum(constant(like, floors));
      NDArray linear = clamp == ClampMode.WEIGHT ? floored : s;
      termBValue = linear.neg().sub(halfCB.mul(floored.square()));
    }

    // term A: score-function term, its "reward" s − b held fixed
    NDArray sDetached = s.stopGradient();
    NDArray b = baselineOf.apply(sDetached).stopGradient();
    NDArray advantage = sDetached.sub(b);
    NDArray sampled =
        form == TermAForm.DERIVED
            ? lw.add(ll)
            : logOfMinus(lw).add(logOfMinus(ll)); // gradient 1/ℓ per side
    NDArray termAValue = cA.mul(advantage).mul(sampled).neg();

    NDArray objective = termBValue.add(termAValue).mean();
    return new Surrogate(objective, termBValue.stopGradient().mean(), sDetached, b);
  }

  /**
   * The mean over rows of λ·mean_t[log π_ref(y_t) − log π_θ(y_t)] (sail-objective.md, section 7).
   *
   * @param policyTokens (B, T) per-token policy log-probs, with gradient
   * @param refTokens (B, T) per-token reference log-probs
   * @param mask (B, T) 1 on response tokens, 0 on prompt and padding
   * @param lambda λ ≥ 0
   */
  public static NDArray reverseKl(
      NDArray policyTokens, NDArray refTokens, NDArray mask, double lambda) {
    NDArray m = fp32(mask).stopGradient();
    NDArray gap = fp32(refTokens).stopGradient().sub(fp32(policyTokens)).mul(m); // (B, T)
    NDArray tokens = m.sum(new int[] {1}).maximum(1f); // (B)
    return gap.sum(new int[] {1}).div(tokens).mean().mul((float) lambda);
  }

  /** log(−ℓ) for ℓ &lt; −ε; constant log ε above, so empty responses get no term A. */
  private static NDArray logOfMinus(NDArray logProb) {
    return logProb.minimum((float) -SailLoss.EPSILON).neg().log();
  }

  private static NDArray fp32(NDArray array) {
    return array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
  }

  private static NDArray constant(NDArray like, float[] values) {
    NDManager manager = like.getManager();
    Device device = like.getDevice();
    NDArray array = manager.create(Arrays.copyOf(values, values.length));
    return array.getDevice().equals(device) ? array : array.toDevice(device, false);
  }
}
