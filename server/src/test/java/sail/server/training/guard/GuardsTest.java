package sail.server.training.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import sail.server.training.objective.PairLogProbs;

class GuardsTest {
  @Test
  void klIsTheMeanLogRatioOnThePolicysSamples() {
    assertEquals(
        2.5,
        SampleStatistics.klEstimate(
            new double[] {-10, -20, -5, -1}, new double[] {-12, -21, -9, -4}),
        1e-12);
  }

  @Test
  void repetitionCountsRepliesWithAWordOfThreeLettersUsedThreeTimes() {
    List<String> replies =
        List.of(
            "happy happy happy", // repeats
            "I am, I am, I am here.", // "am" and "i" are short: not counted
            "The cat and the dog and the bird.", // "the" three times (case-folded)
            "Good day to you.");
    assertEquals(0.5, SampleStatistics.repetitionRate(replies), 1e-12);
  }

  @Test
  void distinctWordsAndPrintableShare() {
    // words: a b a c | c d -> 4 distinct of 6
    assertEquals(4 / 6.0, SampleStatistics.distinctWordRatio(List.of("a b a c", "C, d!")), 1e-12);
    // 10 characters, one replacement character and one control character
    assertEquals(0.8, SampleStatistics.printableShare(List.of("abc\uFFFDe", "fg\u0001i\n")), 1e-12);
    assertEquals(1.0, SampleStatistics.printableShare(List.of("")), 1e-12);
  }

  @Test
  void heldOutAccuracyIsTheShareOfPositiveMargins() {
    List<PairLogProbs> pairs =
        List.of(
            new PairLogProbs(-10, -12, -11, -11), // h = 1 + 1 = 2 > 0
            new PairLogProbs(-10, -10, -10, -10), // h = 0: not right
            new PairLogProbs(-12, -10, -11, -11)); // h = -2
    assertEquals(1 / 3.0, SampleStatistics.preferenceAccuracy(pairs), 1e-12);
  }

  @Test
  void theDistinctWordGuardCountsBothSamplesOverEquallyManyWords() {
    List<String> base = List.of("the cat sat on a mat", "a dog ran to the park");
    // twice as long, each reply going on in the same vein: pooled, the ratio falls below the bound
    List<String> longer =
        List.of(
            "the cat sat on a mat the owl flew to a barn",
            "a dog ran to the park a fox hid in the den");
    SampleSummary baseSummary = SampleSummary.of(base, 0.0);
    GuardBounds bounds = GuardBounds.defaults();

    SampleSummary longSummary = SampleSummary.of(longer, 0.0);
    assertTrue(
        longSummary.distinctWordRatio()
            < bounds.minDistinctFraction() * baseSummary.distinctWordRatio());
    SampleSummary[] compared =
        SampleSummary.atEqualWordCounts(longSummary, longer, baseSummary, base);
    assertEquals(
        SampleStatistics.distinctWordRatio(longer, 12), compared[0].distinctWordRatio(), 1e-12);
    assertTrue(
        Guards.evaluate(compared[0], compared[1], 0.5, 0.5, 64, 0.5, 0.5, bounds).passed(),
        "longer replies of one vocabulary are not narrower");

    // as many words as the base's, but two of them only (short, so no repetition counts them)
    List<String> narrow = List.of("a an a an a an", "an a an a an a");

    SampleSummary narrowSummary = SampleSummary.of(narrow, 0.0);
    SampleSummary[] narrowed =
        SampleSummary.atEqualWordCounts(narrowSummary, narrow, baseSummary, base);
    GuardReport report = Guards.evaluate(narrowed[0], narrowed[1], 0.5, 0.5, 64, 0.5, 0.5, bounds);
    assertEquals(
        List.of(Guard.DISTINCT_WORDS), report.failures().stream().map(c -> c.guard()).toList());
  }

  @Test
  void aHealthyCandidatePassesEveryGuard() {
    SampleSummary base = new SampleSummary(200, 0, 0.01, 0.40, 0.999, 0.9);
    SampleSummary candidate = new SampleSummary(200, 6.0, 0.03, 0.37, 0.998, 0.9);
    GuardReport report =
        Guards.evaluate(candidate, base, 0.7, 0.65, 64, 0.6, 0.58, GuardBounds.defaults());
    assertTrue(report.passed(), report.toString());
    assertEquals(7, report.checks().size());
  }

  @Test
  void aCandidateDriftingOffTheLanguageFailsTheDictionaryGuard() {
    // fluent-looking statistics, but a fifth fewer dictionary words than the base
    SampleSummary base = new SampleSummary(48, 0, 0.0, 0.35, 1.0, 0.92);
    SampleSummary drifted = new SampleSummary(48, 12.0, 0.0, 0.40, 1.0, 0.77);
    GuardReport report = samplesOnly(drifted, base);
    assertEquals(
        List.of(Guard.DICTIONARY_WORDS),
        report.failures().stream().map(GuardReport.Check::guard).toList());
    assertEquals(0.95 * 0.92, report.failures().get(0).bound(), 1e-12);
  }

  @Test
  void dictionaryShareIsTheMeanKnownShareOfReplies() {
    assertEquals(
        1.0, SampleStatistics.dictionaryShare(List.of("the house was fine", "she is here")), 1e-12);
    assertTrue(SampleStatistics.dictionaryShare(List.of("xq zzv qqj frob")) < 0.5);
  }

  @Test
  void aCollapsedCandidateFailsTheRightGuards() {
    // "happy happy happy ...": repetitive, few distinct words, far from the reference
    SampleSummary base = new SampleSummary(200, 0, 0.01, 0.40, 0.999, 0.9);
    SampleSummary collapsed = new SampleSummary(200, 45.0, 0.9, 0.05, 0.999, 0.9);
    GuardReport report = samplesOnly(collapsed, base);
    assertFalse(report.passed());
    assertEquals(
        List.of(Guard.KL, Guard.REPETITION, Guard.DISTINCT_WORDS),
        report.failures().stream().map(GuardReport.Check::guard).toList());
    // nothing published yet: the accuracy and reward guards are not evaluated
    assertEquals(5, report.checks().size());
    GuardReport.Check distinct = report.failures().get(2);
    assertEquals(0.368, distinct.bound(), 1e-12);
    assertFalse(distinct.upperBound());
  }

  @Test
  void boundsFollowAWeakBaseAndCatchDrops() {
    // a base that itself repeats 8% and prints 98%: bounds follow it
    SampleSummary base = new SampleSummary(100, 0, 0.08, 0.5, 0.98, 0.9);
    SampleSummary same = new SampleSummary(100, 1, 0.08, 0.5, 0.976, 0.9);
    assertTrue(samplesOnly(same, base).passed());
    SampleSummary garbled = new SampleSummary(100, 1, 0.0, 0.5, 0.9, 0.9);
    GuardReport report =
        Guards.evaluate(garbled, base, 0.4, 0.6, 1000, 0.3, 0.5, GuardBounds.defaults());
    assertEquals(
        List.of(Guard.PRINTABLE, Guard.HELD_OUT_ACCURACY, Guard.MEAN_REWARD),
        report.failures().stream().map(GuardReport.Check::guard).toList());
  }

  @Test
  void anAccuracyFallWithinSamplingNoiseIsAllowed() {
    GuardBounds bounds = GuardBounds.defaults();
    // many pairs: the configured 0.10
    assertEquals(0.10, Guards.allowedAccuracyDrop(bounds, 1000), 1e-12);
    // 64 pairs: 2.326·√(½/64) = 0.206; 33 pairs: 0.286
    assertEquals(0.2056, Guards.allowedAccuracyDrop(bounds, 64), 1e-4);
    assertEquals(0.2863, Guards.allowedAccuracyDrop(bounds, 33), 1e-4);
    SampleSummary base = new SampleSummary(100, 0, 0.01, 0.5, 1.0, 0.9);
    // demo run 25, step 10: 0.394 on 33 pairs against the base's ½ is noise, not a drop
    assertTrue(
        Guards.evaluate(base, base, 0.394, 0.5, 33, Double.NaN, Double.NaN, bounds).passed());
    // demo run 31, step 20: 0.484 against the served version's 0.656 on 64 pairs
    assertTrue(
        Guards.evaluate(base, base, 0.484, 0.656, 64, Double.NaN, Double.NaN, bounds).passed());
    // the same fall measured on 1,000 pairs is one
    assertFalse(
        Guards.evaluate(base, base, 0.394, 0.5, 1000, Double.NaN, Double.NaN, bounds).passed());
  }

  @Test
  void distinctRatioOverTheFirstWords() {
    // words a b a c | c d: the first 4 hold 3 distinct; more than there are counts all 6
    assertEquals(
        3 / 4.0, SampleStatistics.distinctWordRatio(List.of("a b a c", "C, d!"), 4), 1e-12);
    assertEquals(
        4 / 6.0, SampleStatistics.distinctWordRatio(List.of("a b a c", "C, d!"), 100), 1e-12);
    assertEquals(6, SampleStatistics.wordCount(List.of("a b a c", "C, d!", "42")));
    assertTrue(Double.isNaN(SampleStatistics.distinctWordRatio(List.of("", "42"), 10)));
  }

  @Test
  void summaryComputesEveryStatistic() {
    SampleSummary summary =
        SampleSummary.of(
            List.of("good good good day", "fine"),
            SampleStatistics.klEstimate(new double[] {-3, -4}, new double[] {-5, -4}));
    assertEquals(2, summary.samples());
    assertEquals(1.0, summary.klEstimate(), 1e-12);
    assertEquals(0.5, summary.repetitionRate(), 1e-12);
    assertEquals(3 / 5.0, summary.distinctWordRatio(), 1e-12);
    assertEquals(1.0, summary.printableShare(), 1e-12);
  }

  @Test
  void aDistinctWordRatioWithinThreePointsOfItsBoundIsACloseCall() {
    GuardBounds bounds = GuardBounds.defaults(); // the bound: 0.92 of the base's ratio
    SampleSummary base = sample(0.40, 0);
    assertTrue(Guards.closeCall(sample(0.92 * 0.40, 0), base, bounds), "at the bound");
    assertTrue(Guards.closeCall(sample(0.90 * 0.40, 0), base, bounds), "just under it");
    assertTrue(Guards.closeCall(sample(0.94 * 0.40, 0), base, bounds), "just over it");
    assertFalse(Guards.closeCall(sample(0.96 * 0.40, 0), base, bounds), "clearly over it");
    assertFalse(Guards.closeCall(sample(0.86 * 0.40, 0), base, bounds), "clearly under it");
    assertFalse(Guards.closeCall(sample(0.40, 0), sample(0, 0), bounds), "a base without words");
  }

  @Test
  void twoToFourRepeatingRepliesOfNinetySixAreACloseCall() {
    GuardBounds bounds = GuardBounds.defaults(); // the bound: 3% of the replies
    SampleSummary base = sample(0.40, 0);
    for (int repeating = 0; repeating <= 6; repeating++) {
      boolean close = repeating >= 2 && repeating <= 4;
      assertEquals(
          close,
          Guards.closeCall(sample(0.40, repeating / 96.0), base, bounds),
          repeating + " repeating replies");
    }
  }

  /** 96 replies with this distinct-word ratio and repetition rate, fluent otherwise. */
  private static SampleSummary sample(double distinctRatio, double repetitionRate) {
    return new SampleSummary(96, 1.0, repetitionRate, distinctRatio, 1.0, 0.93);
  }

  /** The guards on sample statistics alone: no accuracy or reward measured yet. */
  private static GuardReport samplesOnly(SampleSummary candidate, SampleSummary base) {
    return Guards.evaluate(
        candidate, base, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, GuardBounds.defaults());
  }
}
