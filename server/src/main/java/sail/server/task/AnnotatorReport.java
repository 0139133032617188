package sail.server.task;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;

/**
 * How well the simulated annotator's sentiment part agrees with people, measured on the 3,000 UCI
 * labelled sentences, plus the full scores of a few replies that try to game it.
 *
 * <p>A sentence is predicted positive when its appeal is above the neutral ½ (valence V &gt; 0); it
 * is <em>decisive</em> when V ≠ 0. Reported: accuracy over all sentences (V = 0 counts as a
 * negative prediction), accuracy over the decisive ones, and coverage (the decisive share).
 */
public final class AnnotatorReport {
  /** Counts for one group of sentences. */
  record Agreement(int sentences, int correct, int decisive, int decisiveCorrect) {
    double accuracy() {
      return sentences == 0 ? 0 : (double) correct / sentences;
    }

    double decisiveAccuracy() {
      return decisive == 0 ? 0 : (double) decisiveCorrect / decisive;
    }

    double coverage() {
      return sentences == 0 ? 0 : (double) decisive / sentences;
    }
  }

  /** Replies whose scores show the gates at work; the first is the fluent reference. */
  static final List<String> PROBES =
      List.of(
          "What a lovely morning; I am so happy to see you again.",
          "great great great!!!",
          "good good good good good good good good",
          "\uFFFD\uFFFD\u0000good\u0001 #$%& xq9z!! good ~~~",
          "",
          "wonderful amazing excellent superb fantastic brilliant lovely delightful",
          "I am not happy with this at all.",
          "It is a truth universally acknowledged that a single man in possession of a good fortune"
              + " must be in want of a wife.");

  private AnnotatorReport() {}

  /** Agreement of {@code sentiment}'s sign with the labels of {@code sentences}. */
  static Agreement agreement(
      PositiveSentiment sentiment, WordDictionary dictionary, List<LabelledSentence> sentences) {
    int correct = 0;
    int decisive = 0;
    int decisiveCorrect = 0;
    for (LabelledSentence sentence : sentences) {
      double valence = sentiment.valence(ReplyText.of(sentence.text(), dictionary).words());
      boolean predictedPositive = valence > 0;
      if (predictedPositive == sentence.positive()) {
        correct++;
      }
      if (valence != 0) {
        decisive++;
        if (predictedPositive == sentence.positive()) {
          decisiveCorrect++;
        }
      }
    }
    return new Agreement(sentences.size(), correct, decisive, decisiveCorrect);
  }

  /**
   * Prints the report as JSON, reading the lexicon, dictionary and sentences from the class path.
   */
  public static void main(String[] args) throws IOException {
    ObjectMapper json = new ObjectMapper();
    AfinnLexicon lexicon = AfinnLexicon.load();
    WordDictionary dictionary = WordDictionary.load();
    PositiveSentiment sentiment = new PositiveSentiment(lexicon);
    List<LabelledSentence> sentences = UciSentences.load();

    ObjectNode report = json.createObjectNode();
    put(report.putObject("all"), agreement(sentiment, dictionary, sentences));
    ObjectNode bySource = report.putObject("bySource");
    for (String source : UciSentences.SOURCES) {
      List<LabelledSentence> some =
          sentences.stream().filter(s -> s.source().equals(source)).toList();
      put(bySource.putObject(source), agreement(sentiment, dictionary, some));
    }

    SimulatedAnnotator annotator = new SimulatedAnnotator(sentiment, dictionary);
    var probes = report.putArray("probes");
    for (String reply : PROBES) {
      Breakdown parts = annotator.breakdown(reply);
      probes
          .addObject()
          .put("reply", reply)
          .put("score", parts.score())
          .put("appeal", parts.appeal())
          .put("fluency", parts.fluency())
          .put("repetition", parts.repetition())
          .put("length", parts.length());
    }
    System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
  }

  private static void put(ObjectNode node, Agreement agreement) {
    node.put("sentences", agreement.sentences())
        .put("accuracy", agreement.accuracy())
        .put("decisiveAccuracy", agreement.decisiveAccuracy())
        .put("coverage", agreement.coverage());
  }
}
