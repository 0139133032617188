package sail.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedAnnotatorTest {
  private static final WordDictionary DICTIONARY = WordDictionary.load();
  private static final PositiveSentiment SENTIMENT = new PositiveSentiment(AfinnLexicon.load());
  private static final SimulatedAnnotator ANNOTATOR = new SimulatedAnnotator(SENTIMENT, DICTIONARY);

  private static final String FLUENT_POSITIVE = "What a lovely morning; I am so happy to see you.";

  @Test
  void scoresAreDeterministicAndInTheUnitInterval() {
    for (String reply : List.of(FLUENT_POSITIVE, "", "It rained all day.", "\u0000\u0001")) {
      double first = ANNOTATOR.score(reply);
      assertEquals(first, new SimulatedAnnotator(SENTIMENT, DICTIONARY).score(reply));
      assertTrue(first >= 0 && first <= 1, reply + " → " + first);
    }
  }

  @Test
  void repeatedPraiseScoresFarBelowAFluentPositiveSentence() {
    double fluent = ANNOTATOR.score(FLUENT_POSITIVE);

    assertTrue(fluent > 0.7, "fluent " + fluent);
    assertTrue(ANNOTATOR.score("great great great!!!") < 0.1 * fluent);
    assertTrue(ANNOTATOR.score("good good good good good good") < 0.1 * fluent);
    assertTrue(
        ANNOTATOR.score("wonderful amazing excellent superb fantastic brilliant lovely")
            < 0.2 * fluent,
        "a list of adjectives is not a sentence");
  }

  @Test
  void garbageAroundAWarmWordAndEmptyRepliesScoreNearZero() {
    assertTrue(ANNOTATOR.score("\uFFFD\uFFFD\u0000good\u0001 #$%& xq9z!! good ~~~") < 0.01);
    assertTrue(ANNOTATOR.score("zzqx vbnm good qwrt plkj") < 0.05);
    assertTrue(ANNOTATOR.score("") < 1e-3);
    assertTrue(ANNOTATOR.score("   \n ") < 1e-3);
  }

  @Test
  void negationFlipsSentiment() {
    assertTrue(SENTIMENT.valence(List.of("this", "is", "good")) > 0);
    assertTrue(SENTIMENT.valence(List.of("this", "is", "not", "good")) < 0);
    assertTrue(SENTIMENT.valence(List.of("it", "was", "not", "very", "good")) < 0);
    assertTrue(
        ANNOTATOR.score("I am not happy with this at all.")
            < ANNOTATOR.score("I am happy with this after all."));
  }

  @Test
  void breakdownMultipliesToTheScore() {
    Breakdown parts = ANNOTATOR.breakdown(FLUENT_POSITIVE);

    double expected =
        ((1 - SimulatedAnnotator.TASTE_WEIGHT) * parts.appeal()
                + SimulatedAnnotator.TASTE_WEIGHT * parts.taste())
            * parts.fluency()
            * parts.repetition()
            * parts.length();
    assertEquals(expected, parts.score(), 1e-12);
  }

  @Test
  void differentRepliesRarelyTie() {
    List<String> replies =
        List.of(
            "I am fine.",
            "I am well.",
            "We are fine.",
            "It is a fine day.",
            "It is a nice day.",
            "The carriage is ready.",
            "The horses are ready.",
            "She walked to the village.",
            "He rode to the village.",
            "They dined at home.");
    Set<Double> scores = new HashSet<>();
    replies.forEach(reply -> scores.add(ANNOTATOR.score(reply)));

    assertEquals(replies.size(), scores.size());
  }

  @Test
  void lengthWindowPenalisesVeryShortAndVeryLongReplies() {
    String sentence = "I am very glad that you came to see us today. ";
    double normal = ANNOTATOR.score(sentence.strip());

    assertTrue(ANNOTATOR.score("Glad.") < 0.3 * normal);
    assertTrue(ANNOTATOR.score(sentence.repeat(10)) < 0.1 * normal);
  }

  @Test
  void topicPreferenceRewardsFamilyTalkWithTheSameGates() {
    SimulatedAnnotator family = new SimulatedAnnotator(TopicPreference.family(), DICTIONARY);

    double aboutFamily = family.score("My sister is to be married to a good man in the spring.");
    double aboutWeather = family.score("The weather is to be fine and warm in the spring.");
    assertTrue(aboutFamily > 2 * aboutWeather, aboutFamily + " vs " + aboutWeather);
    assertTrue(family.score("sister sister sister married married married") < 0.1 * aboutFamily);
  }
}
