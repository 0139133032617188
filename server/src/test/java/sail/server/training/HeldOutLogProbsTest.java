package sail.server.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import sail.server.training.mixture.PreferencePair;

class HeldOutLogProbsTest {
  // weights named by strings; a version's log-prob of a reply is its offset minus the reply's
  // length
  private static final String REFERENCE = "reference";
  private static final String VERSION_ONE = "version 1";
  private static final String CANDIDATE = "candidate";
  private static final Map<String, Double> OFFSETS =
      Map.of(REFERENCE, 0.0, VERSION_ONE, 100.0, CANDIDATE, 200.0);
  // how many pairs each call of the scorer scored
  private final List<Integer> scored = new ArrayList<>();

  private final HeldOutLogProbs<String> logProbs =
      new HeldOutLogProbs<>(
          0,
          REFERENCE,
          (weights, pairs) -> {
            scored.add(pairs.size());
            double offset = OFFSETS.get(weights);
            double[] out = new double[2 * pairs.size()];
            for (int i = 0; i < pairs.size(); i++) {
              out[2 * i] = offset - pairs.get(i).chosen().length();
              out[2 * i + 1] = offset - pairs.get(i).rejected().length();
            }
            return out;
          });

  private static PreferencePair pair(int i) {
    return new PreferencePair("choice#" + i, "prompt", "x".repeat(i + 1), "y".repeat(2 * i + 1));
  }

  @Test
  void onlyPairsNotScoredBeforeAreScoredAgain() {
    double[] first = logProbs.reference(List.of(pair(1), pair(2), pair(3)));
    double[] second = logProbs.reference(List.of(pair(2), pair(3), pair(4)));

    assertEquals(List.of(3, 1), scored);
    assertArrayEquals(new double[] {first[2], first[3], first[4], first[5], -5, -9}, second);
  }

  @Test
  void whileTheReferenceIsServedItsScoresAreTheReferences() {
    List<PreferencePair> pairs = List.of(pair(1), pair(2));
    double[] reference = logProbs.reference(pairs);

    // the served version is the reference: a tie on every pair, not a re-scoring
    assertArrayEquals(reference, logProbs.served(pairs, 0, VERSION_ONE));
    assertEquals(List.of(2), scored);
  }

  @Test
  void aPublishedCandidateServesItsScoresUntilAnotherVersionIsServed() {
    List<PreferencePair> pairs = List.of(pair(1), pair(2));
    double[] candidateScores = logProbs.score(pairs, CANDIDATE);
    logProbs.published(7, pairs, candidateScores);

    assertArrayEquals(
        new double[] {candidateScores[2], candidateScores[3]},
        logProbs.served(List.of(pair(2)), 7, CANDIDATE));
    assertEquals(List.of(2), scored); // the candidate's own scoring only

    // a rollback to version 1: its scores are computed, not the candidate's reused
    assertArrayEquals(new double[] {98, 97, 97, 95}, logProbs.served(pairs, 1, VERSION_ONE));
    assertEquals(List.of(2, 2), scored);
  }

  @Test
  void pairsNoLongerHeldOutAreForgotten() {
    logProbs.reference(List.of(pair(1), pair(2)));
    logProbs.retainOnly(List.of(pair(2)));
    logProbs.reference(List.of(pair(1), pair(2)));

    assertEquals(List.of(2, 1), scored);
  }
}
