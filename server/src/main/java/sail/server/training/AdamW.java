package sail.server.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.HashMap;
import java.util.Map;
import sail.server.model.GradMode;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter, "Decoupled Weight Decay
 * Regularization", 2019), written here rather than taken from DJL so that its moment estimates can
 * be checkpointed and restored exactly.
 *
 * <p>Per parameter w with gradient g at step t: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², w ← w −
 * lr·(m̂ / (√v̂ + ε) + λ·w), with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ); λ applies to matrices only.
 */
public final class AdamW implements AutoCloseable {
  /**
   * @param beta1 first-moment decay
   * @param beta2 second-moment decay
   * @param epsilon added to √v̂
   * @param weightDecay decoupled decay λ for parameters of rank ≥ 2
   */
  public record Settings(float beta1, float beta2, float epsilon, float weightDecay) {
    public static Settings defaults() {
      return new Settings(0.9f, 0.95f, 1e-8f, 0.1f);
    }
  }

  private final Settings settings;
  private final NDManager manager;
  private final Map<String, NDArray> firstMoments = new HashMap<>();
  private final Map<String, NDArray> secondMoments = new HashMap<>();
  private long step;
  // steps since the first moments were last zeroed: m's bias correction counts these, so that a
  // restarted momentum is an average of the gradients since (restartMomentum)
  private long momentumSteps;

  public AdamW(Settings settings, NDManager parent) {
    this.settings = settings;
    this.manager = parent.newSubManager();
  }

  public long step() {
    return step;
  }

  /**
   * Steps since the first moments were last zeroed (the step count unless {@link
   * #restartMomentum}).
   */
  public long momentumSteps() {
    return momentumSteps;
  }

  /**
   * Scales gradients so that their global L2 norm is at most {@code maxNorm}.
   *
   * @return the norm before clipping
   */
  public static double clipGradients(PairList<String, Parameter> parameters, double maxNorm) {
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      double squared = 0;
      for (Pair<String, Parameter> entry : parameters) {
        NDArray g = entry.getValue().getArray().getGradient();
        squared += g.square().sum().getFloat();
      }
      double norm = Math.sqrt(squared);
      if (norm > maxNorm) {
        float scale = (float) (maxNorm / (norm + 1e-6));
        for (Pair<String, Parameter> entry : parameters) {
          entry.getValue().getArray().getGradient().muli(scale);
        }
      }
      return norm;
    } finally {
      GradMode.restore(grad);
    }
  }

  /** Applies one update to every parameter from its gradient, then zeroes the gradients. */
  public void update(PairList<String, Parameter> parameters, float learningRate) {
    step++;
    momentumSteps++;
    double correction1 = 1 - Math.pow(settings.beta1(), momentumSteps);
    double correction2 = 1 - Math.pow(settings.beta2(), step);
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      for (Pair<String, Parameter> entry : parameters) {
        String name = entry.getKey();
        NDArray weight = entry.getValue().getArray();
        NDArray gradient = weight.getGradient();
        NDArray m = firstMoments.computeIfAbsent(name, k -> zerosLike(weight));
        NDArray v = secondMoments.computeIfAbsent(name, k -> zerosLike(weight));

        // moments
        m.muli(settings.beta1()).addi(gradient.mul(1 - settings.beta1()));
        v.muli(settings.beta2()).addi(gradient.square().muli(1 - settings.beta2()));

        // decoupled weight decay on matrices, then the Adam step
        if (weight.getShape().dimension() >= 2 && settings.weightDecay() > 0) {
          weight.muli(1 - learningRate * settings.weightDecay());
        }
        NDArray denominator = v.div(correction2).sqrt().addi(settings.epsilon());
        weight.subi(m.div(denominator).muli(learningRate / correction1));
        JniUtils.zeroGrad((PtNDArray) weight);
      }
    } finally {
      GradMode.restore(grad);
    }
  }

  /** Zeroes every gradient without updating (e.g. after a skipped step). */
  public static void zeroGradients(PairList<String, Parameter> parameters) {
    for (Pair<String, Parameter> entry : parameters) {
      JniUtils.zeroGrad((PtNDArray) entry.getValue().getArray());
    }
  }

  /**
   * Forgets the moment estimates and the step count: after the weights were reset to an earlier
   * version, the old moments would push them straight back the way that failed.
   */
  public void reset() {
    closeMoments();
    step = 0;
    momentumSteps = 0;
  }

  /**
   * Forgets the first moments (the direction the weights were moving in) but keeps the second
   * moments (each parameter's recent gradient scale) and their step count: for weights set back a
   * few steps, to a version close to where they were (a refused publish).
   *
   * <p>Why not {@link #reset}: with the second moments gone too, the next update's v̂ is one
   * gradient squared, so m̂/(√v̂ + ε) = ±1 and every parameter moves by the full learning rate,
   * those whose gradient is mere noise as far as the rest; the following steps stay large until v̂
   * has seen a few gradients. With the scale kept, a parameter moves in proportion to its gradient
   * against its own history, as in any other step, and the momentum rebuilds from the new gradients
   * (its bias correction counts the steps since this call).
   */
  public void restartMomentum() {
    firstMoments.values().forEach(NDArray::close);
    firstMoments.clear();
    momentumSteps = 0;
  }

  /** Moment estimates as named arrays ({@code m/NAME}, {@code v/NAME}) for a checkpoint. */
  public NDList state() {
    NDList state = new NDList();
    firstMoments.forEach((name, array) -> state.add(named(array, "m/" + name)));
    secondMoments.forEach((name, array) -> state.add(named(array, "v/" + name)));
    return state;
  }

  /** Restores moment estimates written by {@link #state()} and the step count. */
  public void restore(NDList state, long restoredStep) {
    restore(state, restoredStep, restoredStep);
  }

  /**
   * Restores moment estimates written by {@link #state()}, the step count and the steps since the
   * momentum last restarted ({@link #momentumSteps}).
   */
  public void restore(NDList state, long restoredStep, long restoredMomentumSteps) {
    closeMoments();
    for (NDArray array : state) {
      NDArray copy = array.duplicate();
      NDScope.unregister(copy);
      copy.attach(manager);
      String name = array.getName();
      if (name.startsWith("m/")) {
        firstMoments.put(name.substring(2), copy);
      } else if (name.startsWith("v/")) {
        secondMoments.put(name.substring(2), copy);
      } else {
        throw new IllegalArgumentException("unexpected optimizer tensor '" + name + "'");
      }
    }
    step = restoredStep;
    momentumSteps = restoredMomentumSteps;
  }

  private NDArray zerosLike(NDArray weight) {
    NDArray zeros = manager.zeros(weight.getShape(), weight.getDataType());
    NDScope.unregister(zeros);
    return zeros;
  }

  private static NDArray named(NDArray array, String name) {
    array.setName(name);
    return array;
  }

  private void closeMoments() {
    firstMoments.values().forEach(NDArray::close);
    secondMoments.values().forEach(NDArray::close);
    firstMoments.clear();
    secondMoments.clear();
  }

  @Override
  public void close() {
    manager.close();
  }
}
