package sail.server.task;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A deterministic stand-in for a human rater: scores a reply in [0, 1] by a hidden {@link
 * Preference} and by gates that a lexicon alone cannot enforce, so that {@code "great great
 * great!!!"}, garbage around a warm word and empty replies all score near zero.
 *
 * <pre>
 *   score = ((1 − ε)·A + ε·T) · F · R · L                                   ε = {@value #TASTE_WEIGHT}
 *
 *   A  appeal      the preference's judgement of the content, in [0, 1]
 *   T  taste       mean of u(w) over the words, u(w) ∈ [0, 1) fixed per word by a hash
 *   F  fluency     F_dict · F_func
 *        F_dict  = σ((k − 0.75)/0.05) / σ(0.25/0.05)       k = known-chunk share ({@link ReplyText})
 *        F_func  = 1 − σ(n − 5) · (1 − σ((φ − 0.12)/0.03))  φ = function-word share of the words
 *   R  repetition  Π_{w : |w| ≥ 3} exp(−0.7 · max(0, c_w − (2 + n/20))) · D
 *        D       = σ((d − 0.4)/0.06) / σ(0.6/0.06)          d = distinct words / n
 *   L  length      σ((n − 2.5)/0.6) · σ((65 − n)/5)          n = word count
 * </pre>
 *
 * <p>σ is the logistic function and c_w the count of word w. Reasons for each gate:
 *
 * <ul>
 *   <li>T is a small, smooth tie-breaker: two different replies with the same appeal and gates
 *       still differ in the words they use, so exact ties are rare, as with a human rater's taste.
 *   <li>F_dict: real English is almost all dictionary words; invalid bytes, symbol soup and shouted
 *       punctuation are not. Normalised so that k = 1 gives 1.
 *   <li>F_func: a list of adjectives is not a sentence; fluent English has roughly a third to a
 *       half function words. It bites from about five words on, so that {@code "Absolutely
 *       wonderful news."} loses only about a tenth.
 *   <li>R: a word of three or more letters used more than about twice (a little more allowed in
 *       longer replies, where {@code the} recurs naturally) costs a factor e^−0.7 per extra use; a
 *       low share of distinct words is penalised too.
 *   <li>L: replies under about three words or over about sixty are cut down smoothly.
 * </ul>
 */
public final class SimulatedAnnotator {
  /** ε: the weight of the taste term; small, so it orders replies only where little else does. */
  public static final double TASTE_WEIGHT = 0.05;

  /** Common English function words, lower case; their share is φ. */
  static final Set<String> FUNCTION_WORDS =
      Set.of(
          "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for",
          "with", "from", "as", "into", "about", "after", "before", "over", "up", "out", "than",
          "then", "so", "not", "no", "nor", "is", "are", "was", "were", "be", "been", "being", "am",
          "do", "does", "did", "have", "has", "had", "can", "could", "will", "would", "shall",
          "should", "may", "might", "must", "i", "you", "he", "she", "it", "we", "they", "me",
          "him", "her", "us", "them", "my", "your", "his", "its", "our", "their", "this", "that",
          "these", "those", "there", "here", "what", "which", "who", "whom", "whose", "when",
          "where", "why", "how", "all", "any", "some", "very", "too", "such", "only", "also",
          "just", "much", "more", "most", "own", "i'm", "it's", "don't", "that's", "i'll", "you're",
          "there's", "let's", "can't", "won't", "isn't");

  private final Preference preference;
  private final WordDictionary dictionary;

  /**
   * An annotator with the hidden {@code preference}, checking spelling against {@code dictionary}.
   */
  public SimulatedAnnotator(Preference preference, WordDictionary dictionary) {
    this.preference = preference;
    this.dictionary = dictionary;
  }

  /**
   * The default annotator: {@link PositiveSentiment} with the lexicon and dictionary on the class
   * path.
   */
  public static SimulatedAnnotator positiveSentiment() {
    return new SimulatedAnnotator(
        new PositiveSentiment(AfinnLexicon.load()), WordDictionary.load());
  }

  /** The hidden preference this annotator applies. */
  public Preference preference() {
    return preference;
  }

  /** The score of {@code reply}; see the class comment. */
  public double score(String reply) {
    return breakdown(reply).score();
  }

  /** The score of {@code reply} with its parts. */
  public Breakdown breakdown(String reply) {
    ReplyText text = ReplyText.of(reply, dictionary);
    double appeal = preference.appeal(text);
    double taste = taste(text.words());
    double fluency = fluency(text);
    double repetition = repetition(text.words());
    double length = length(text.length());
    double score =
        ((1 - TASTE_WEIGHT) * appeal + TASTE_WEIGHT * taste) * fluency * repetition * length;
    return new Breakdown(appeal, taste, fluency, repetition, length, score);
  }

  /** T: the mean of a fixed pseudo-random liking u(w) ∈ [0, 1) of each word; 0 without words. */
  static double taste(List<String> words) {
    if (words.isEmpty()) {
      return 0.0;
    }
    double sum = 0;
    for (String word : words) {
      sum += unitHash(word);
    }
    return sum / words.size();
  }

  /** F = F_dict · F_func. */
  static double fluency(ReplyText text) {
    double dictionary = sigmoid((text.knownShare() - 0.75) / 0.05) / sigmoid(0.25 / 0.05);
    int n = text.length();
    double functionShare =
        n == 0 ? 0.0 : text.words().stream().filter(FUNCTION_WORDS::contains).count() / (double) n;
    double function = 1 - sigmoid(n - 5.0) * (1 - sigmoid((functionShare - 0.12) / 0.03));
    return dictionary * function;
  }

  /** R = (per-word excess-repeat factors) · D. */
  static double repetition(List<String> words) {
    int n = words.size();
    if (n == 0) {
      return 1.0; // nothing repeats; the length gate handles empty replies
    }
    Map<String, Integer> counts = new HashMap<>();
    for (String word : words) {
      counts.merge(word, 1, Integer::sum);
    }
    double allowance = 2.0 + n / 20.0;
    double factor = 1.0;
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      if (entry.getKey().length() >= 3) {
        factor *= Math.exp(-0.7 * Math.max(0.0, entry.getValue() - allowance));
      }
    }
    double distinct = new HashSet<>(words).size() / (double) n;
    return factor * sigmoid((distinct - 0.4) / 0.06) / sigmoid(0.6 / 0.06);
  }

  /** L: a smooth window over the word count. */
  static double length(int n) {
    return sigmoid((n - 2.5) / 0.6) * sigmoid((65.0 - n) / 5.0);
  }

  static double sigmoid(double x) {
    return 1.0 / (1.0 + Math.exp(-x));
  }

  /** A fixed value in [0, 1) for {@code word}: SplitMix64's finaliser over its String hash. */
  private static double unitHash(String word) {
    long z = word.hashCode() * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (z >>> 11) * 0x1.0p-53;
  }
}
