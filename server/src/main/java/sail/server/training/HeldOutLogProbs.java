package sail.server.training;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import sail.server.training.mixture.PreferencePair;

/**
 * ℓ of people's held-out pairs (chosen, rejected) under the reference and under the served version,
 * kept from one publish attempt to the next, for the held-out accuracy guard. {@code W} is the type
 * of a version's weights (a parameter store in the trainer).
 *
 * <p>Why: the guard compares a candidate with the served version on the same pairs, and scoring 64
 * pairs under three sets of weights is 384 sequences through the model (128 sequences of the
 * shipped offline pairs took 4.4-5.5 s on the trainer's one thread). Neither the reference nor the
 * served version changes between two publishes, and the held-out set moves only by the pairs people
 * labelled in between, so only the candidate is scored on every pair; the reference and the served
 * version only on pairs they have not scored yet. In the demo the held-out choices turn over within
 * a publish or two, so the saving is smaller than that (publish attempts of 9.2-9.6 s against
 * 9.8-10 s, docs/demo.md runs 51-55). When a candidate is published its scores become the served
 * version's.
 *
 * <p>While the served version is the reference itself (before the first publish, or after a
 * rollback to it) its scores are the reference's, so it ranks every pair exactly as a tie (½), as
 * the guard expects of the base. Not thread-safe: the trainer's thread owns it.
 */
final class HeldOutLogProbs<W> {
  /** Summed log-probs of each pair's chosen and rejected reply under some weights, interleaved. */
  interface Scorer<W> {
    double[] sumLogProbs(W weights, List<PreferencePair> pairs);
  }

  private final long referenceVersion;
  private final W referenceWeights;
  private final Scorer<W> scorer;
  private final Map<String, double[]> referenceScores = new HashMap<>();
  private final Map<String, double[]> servedScores = new HashMap<>();
  private long servedVersion = Long.MIN_VALUE;

  /**
   * @param referenceVersion the reference's model version
   * @param referenceWeights the reference's frozen weights
   * @param scorer scores pairs under any weights, batched as the reference scores its own
   */
  HeldOutLogProbs(long referenceVersion, W referenceWeights, Scorer<W> scorer) {
    this.referenceVersion = referenceVersion;
    this.referenceWeights = referenceWeights;
    this.scorer = scorer;
  }

  /** ℓ under the reference of each pair's chosen and rejected reply, interleaved. */
  double[] reference(List<PreferencePair> pairs) {
    fill(referenceScores, pairs, referenceWeights);
    return interleave(referenceScores, pairs);
  }

  /**
   * ℓ under the served version {@code version} (weights {@code store}) of each pair's replies,
   * interleaved; the reference's own when the served version is the reference.
   */
  double[] served(List<PreferencePair> pairs, long version, W store) {
    if (version == referenceVersion) {
      return reference(pairs);
    }
    if (version != servedVersion) {
      servedScores.clear(); // another version is served now (a publish or a rollback)
      servedVersion = version;
    }
    fill(servedScores, pairs, store);
    return interleave(servedScores, pairs);
  }

  /** ℓ of each pair's replies under {@code store} (the candidate), interleaved; not kept. */
  double[] score(List<PreferencePair> pairs, W store) {
    return scorer.sumLogProbs(store, pairs);
  }

  /** The candidate scored {@code scores} on {@code pairs} is now served as {@code version}. */
  void published(long version, List<PreferencePair> pairs, double[] scores) {
    servedScores.clear();
    servedVersion = version;
    for (int i = 0; i < pairs.size(); i++) {
      servedScores.put(pairs.get(i).id(), new double[] {scores[2 * i], scores[2 * i + 1]});
    }
  }

  /** Forgets pairs no longer held out, so that the caches stay the size of the held-out set. */
  void retainOnly(List<PreferencePair> pairs) {
    Set<String> keep = new HashSet<>();
    for (PreferencePair pair : pairs) {
      keep.add(pair.id());
    }
    referenceScores.keySet().retainAll(keep);
    servedScores.keySet().retainAll(keep);
  }

  private void fill(Map<String, double[]> cache, List<PreferencePair> pairs, W store) {
    List<PreferencePair> missing = new ArrayList<>();
    for (PreferencePair pair : pairs) {
      if (!cache.containsKey(pair.id())) {
        missing.add(pair);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    double[] sums = scorer.sumLogProbs(store, missing);
    for (int i = 0; i < missing.size(); i++) {
      cache.put(missing.get(i).id(), new double[] {sums[2 * i], sums[2 * i + 1]});
    }
  }

  private static double[] interleave(Map<String, double[]> cache, List<PreferencePair> pairs) {
    double[] out = new double[2 * pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      double[] scores = cache.get(pairs.get(i).id());
      out[2 * i] = scores[0];
      out[2 * i + 1] = scores[1];
    }
    return out;
  }
}
