package sail.server.task;

import java.util.Set;

/**
 * A user who likes replies about one topic: the density of topic words, squashed into [0, 1).
 *
 * <pre>
 *   appeal = tanh(2 · h / √max(n, 1))       h = topic-word count, n = word count
 * </pre>
 *
 * <p>One topic word in a ten-word reply gives tanh(0.63) ≈ 0.56, two give ≈ 0.85; a reply without
 * one has appeal 0, so only the annotator's small taste term orders such replies.
 */
public final class TopicPreference implements Preference {
  /** Words about family, courtship and marriage, the matter of Austen's novels. */
  public static final Set<String> FAMILY_WORDS =
      Set.of(
          "family",
          "families",
          "marry",
          "marries",
          "married",
          "marrying",
          "marriage",
          "marriages",
          "wedding",
          "weddings",
          "bride",
          "husband",
          "husbands",
          "wife",
          "wives",
          "engaged",
          "engagement",
          "love",
          "loved",
          "loves",
          "lover",
          "sister",
          "sisters",
          "brother",
          "brothers",
          "mother",
          "mothers",
          "father",
          "fathers",
          "daughter",
          "daughters",
          "son",
          "sons",
          "child",
          "children",
          "baby",
          "parents",
          "cousin",
          "cousins",
          "aunt",
          "uncle",
          "niece",
          "nephew",
          "home",
          "household",
          "courtship",
          "suitor",
          "proposal");

  private final String name;
  private final Set<String> topicWords;

  /**
   * A preference for {@code topicWords}, matched against lower-case words.
   *
   * @param name the name reports show
   */
  public TopicPreference(String name, Set<String> topicWords) {
    this.name = name;
    this.topicWords = Set.copyOf(topicWords);
  }

  /** The preference for {@link #FAMILY_WORDS}. */
  public static TopicPreference family() {
    return new TopicPreference("family-topic", FAMILY_WORDS);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public double appeal(ReplyText reply) {
    long hits = reply.words().stream().filter(topicWords::contains).count();
    return Math.tanh(2.0 * hits / Math.sqrt(Math.max(reply.length(), 1)));
  }
}
