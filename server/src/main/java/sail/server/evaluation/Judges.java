package sail.server.evaluation;

import java.util.Map;
import java.util.function.Supplier;
import sail.server.task.AfinnLexicon;
import sail.server.task.PositiveSentiment;
import sail.server.task.Preference;
import sail.server.task.SimulatedAnnotator;
import sail.server.task.TopicPreference;
import sail.server.task.WordDictionary;
import sail.server.training.reward.AnnotatorRewards;
import sail.server.training.reward.RewardSource;

/**
 * Judges named in configuration ({@code evaluation.judge}): the simulated annotator with one of the
 * task's hidden preferences, as a {@link RewardSource}. A learned reward model is another {@link
 * RewardSource} and is passed to the evaluator directly.
 *
 * <pre>
 *   annotator:positive-sentiment     the default task's annotator ({@link PositiveSentiment})
 *   annotator:topic:family           the annotator with {@link TopicPreference#family()}
 * </pre>
 *
 * The preference's own name ({@code annotator:family-topic}) is accepted too.
 */
public final class Judges {
  /** The judge when the configuration names none. */
  public static final String DEFAULT = "annotator:positive-sentiment";

  private static final String ANNOTATOR = "annotator:";
  private static final String TOPIC = "topic:";

  private static final Map<String, Supplier<Preference>> PREFERENCES =
      Map.of(
          "positive-sentiment",
          () -> new PositiveSentiment(AfinnLexicon.load()),
          "family-topic",
          TopicPreference::family);
  private static final Map<String, String> TOPICS = Map.of("family", "family-topic");

  private Judges() {}

  /**
   * Checks that {@code spec} names a judge, without loading it.
   *
   * @throws IllegalArgumentException naming the spec and the judges there are
   */
  public static void validate(String spec) {
    preferenceName(spec);
  }

  /** The simulated annotator named by {@code spec} as a reward source. */
  public static RewardSource annotator(String spec) {
    return new AnnotatorRewards(simulatedAnnotator(spec));
  }

  /** The simulated annotator named by {@code spec}, with its judgements' parts. */
  public static SimulatedAnnotator simulatedAnnotator(String spec) {
    Preference preference = PREFERENCES.get(preferenceName(spec)).get();
    return new SimulatedAnnotator(preference, WordDictionary.load());
  }

  private static String preferenceName(String spec) {
    if (spec != null && spec.startsWith(ANNOTATOR)) {
      String rest = spec.substring(ANNOTATOR.length());
      String name = rest.startsWith(TOPIC) ? TOPICS.get(rest.substring(TOPIC.length())) : rest;
      if (name != null && PREFERENCES.containsKey(name)) {
        return name;
      }
    }
    throw new IllegalArgumentException(
        "unknown judge '"
            + spec
            + "'; expected annotator:positive-sentiment or annotator:topic:<name> with a topic in "
            + TOPICS.keySet());
  }
}
