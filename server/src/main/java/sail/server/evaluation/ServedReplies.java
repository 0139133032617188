package sail.server.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import sail.server.task.Breakdown;
import sail.server.task.SimulatedAnnotator;

/**
 * The replies a server served, judged version by version: for each model version, the mean of each
 * part of the simulated annotator's judgement ({@link Breakdown}) over the replies that version
 * wrote. It says where a change in the users' hidden score came from — the preference's appeal, or
 * the gates for fluency, repetition and length — which the mean score alone hides. Pure given the
 * annotator; fed one reply at a time, so a long log never sits in memory.
 */
public final class ServedReplies {
  /**
   * Means over one version's replies.
   *
   * @param version the model version that wrote them
   * @param replies how many
   * @param score mean hidden score
   * @param appeal mean appeal (½ is neutral for {@code positive-sentiment})
   * @param fluency mean fluency gate
   * @param repetition mean repetition gate
   * @param length mean length gate
   * @param appealAboveHalf share of replies whose appeal is above ½
   * @param appealBelowHalf share of replies whose appeal is below ½
   */
  public record VersionSummary(
      long version,
      int replies,
      double score,
      double appeal,
      double fluency,
      double repetition,
      double length,
      double appealAboveHalf,
      double appealBelowHalf) {}

  private final SimulatedAnnotator annotator;
  private final Map<Long, double[]> sums = new TreeMap<>();

  public ServedReplies(SimulatedAnnotator annotator) {
    this.annotator = annotator;
  }

  /** Judges one reply of {@code version}. */
  public void add(long version, String reply) {
    Breakdown b = annotator.breakdown(reply);
    double[] s = sums.computeIfAbsent(version, v -> new double[8]);
    s[0]++;
    s[1] += b.score();
    s[2] += b.appeal();
    s[3] += b.fluency();
    s[4] += b.repetition();
    s[5] += b.length();
    s[6] += b.appeal() > 0.5 ? 1 : 0;
    s[7] += b.appeal() < 0.5 ? 1 : 0;
  }

  /** One summary per version seen, in version order. */
  public List<VersionSummary> summaries() {
    List<VersionSummary> out = new ArrayList<>();
    for (Map.Entry<Long, double[]> e : sums.entrySet()) {
      double[] s = e.getValue();
      double n = s[0];
      out.add(
          new VersionSummary(
              e.getKey(),
              (int) n,
              s[1] / n,
              s[2] / n,
              s[3] / n,
              s[4] / n,
              s[5] / n,
              s[6] / n,
              s[7] / n));
    }
    return out;
  }
}
