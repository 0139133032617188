package sail.loadtest.users;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import sail.server.evaluation.Fluency;
import sail.server.evaluation.HeadToHead;
import sail.server.task.AfinnLexicon;
import sail.server.task.BradleyTerryRater;
import sail.server.task.PositiveSentiment;
import sail.server.task.SimulatedAnnotator;
import sail.server.task.TopicPreference;
import sail.server.task.WordDictionary;
import sail.server.training.reward.AnnotatorRewards;

/**
 * The simulated users' hidden taste: the {@link SimulatedAnnotator} with a named preference. The
 * server never sees it; it learns only from the feedback the users derive from it:
 *
 * <ul>
 *   <li>👍 with probability equal to the reply's score s ∈ [0, 1], otherwise 👎 (a Bernoulli draw
 *       on the annotator's judgement);
 *   <li>a pairwise choice by the Bradley–Terry rule P(first) = σ((s₁ − s₂)/τ), τ = {@value
 *       BradleyTerryRater#DEFAULT_TEMPERATURE}.
 * </ul>
 *
 * <p>Pure and thread-safe; the randomness comes from the caller.
 */
public final class HiddenJudge {
  private static final Map<String, Supplier<sail.server.task.Preference>> PREFERENCES =
      Map.of(
          "positive-sentiment",
          () -> new PositiveSentiment(AfinnLexicon.load()),
          "family-topic",
          TopicPreference::family);

  private final SimulatedAnnotator annotator;
  private final BradleyTerryRater rater;

  public HiddenJudge(SimulatedAnnotator annotator) {
    this.annotator = annotator;
    this.rater = new BradleyTerryRater(annotator::score, BradleyTerryRater.DEFAULT_TEMPERATURE);
  }

  /** The preferences users can hold, by name. */
  public static List<String> names() {
    return PREFERENCES.keySet().stream().sorted().toList();
  }

  /** A judge with the preference called {@code name} (see {@link #names()}). */
  public static HiddenJudge named(String name) {
    Supplier<sail.server.task.Preference> preference = PREFERENCES.get(name);
    if (preference == null) {
      throw new IllegalArgumentException(
          "unknown preference '" + name + "'; one of " + String.join(", ", names()));
    }
    return new HiddenJudge(new SimulatedAnnotator(preference.get(), WordDictionary.load()));
  }

  /** The annotator behind the judgements (for experiments that use it as a reward source). */
  public SimulatedAnnotator annotator() {
    return annotator;
  }

  public String preferenceName() {
    return annotator.preference().name();
  }

  /** The hidden score of {@code reply}, in [0, 1]. */
  public double score(String reply) {
    return annotator.score(reply);
  }

  /**
   * The candidate's replies against the baseline's, prompt by prompt, judged by this taste (a tie
   * counts ½), with both sides' mean scores and fluency.
   */
  public HeadToHead compare(List<String> prompts, List<String> baseline, List<String> candidate) {
    return HeadToHead.judge(prompts, candidate, baseline, new AnnotatorRewards(annotator));
  }

  /** The fields of a {@link Fluency} for reports. */
  public static JsonObject toJson(Fluency fluency) {
    return new JsonObject(fluency.fields());
  }

  /** Whether the user gives 👍: a Bernoulli draw with the reply's score. */
  public boolean thumbsUp(String reply, RandomGenerator random) {
    return random.nextDouble() < score(reply);
  }

  /** Whether the user picks {@code first} over {@code second}. */
  public boolean prefersFirst(String first, String second, RandomGenerator random) {
    return random.nextDouble() < rater.probabilityFirst(first, second);
  }
}
