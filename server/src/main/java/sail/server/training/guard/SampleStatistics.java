package sail.server.training.guard;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import sail.server.training.objective.PairLogProbs;

/**
 * Health statistics of a policy's own samples for held-out prompts, the checks that would have
 * stopped every reward-hacking run in alignment-facts.md. Pure functions of their inputs.
 *
 * <p>Words are maximal runs of letters (inner apostrophes allowed), lower-cased.
 */
public final class SampleStatistics {
  private static final Pattern WORD = Pattern.compile("\\p{L}+(?:'\\p{L}+)*");

  private SampleStatistics() {}

  /**
   * KL(π ‖ π_ref) estimated on the policy's own samples: the mean over samples of log π(y|x) − log
   * π_ref(y|x), with both summed over the reply's tokens. A collapsed policy has a large value even
   * when its replies are likely under the reference.
   *
   * @param policySums ℓ(y) of each sample under the policy that generated it
   * @param referenceSums ℓ_ref(y) of the same samples
   */
  public static double klEstimate(double[] policySums, double[] referenceSums) {
    if (policySums.length != referenceSums.length) {
      throw new IllegalArgumentException(
          policySums.length + " policy log-probs for " + referenceSums.length + " reference ones");
    }
    if (policySums.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < policySums.length; i++) {
      sum += policySums[i] - referenceSums[i];
    }
    return sum / policySums.length;
  }

  /** The shipped word list, loaded on first use. */
  private static final class Dictionary {
    static final sail.server.task.WordDictionary WORDS = sail.server.task.WordDictionary.load();
  }

  /**
   * Mean over replies of the share of their words found in the dictionary ({@link
   * sail.server.task.ReplyText#knownShare()}). It falls when training moves probability mass off
   * the language (alignment-facts.md: offline DPO drifting to "bytes off the data distribution").
   */
  public static double dictionaryShare(List<String> replies) {
    if (replies.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    for (String reply : replies) {
      sum += sail.server.task.ReplyText.of(reply, Dictionary.WORDS).knownShare();
    }
    return sum / replies.size();
  }

  /** Share of replies in which some word of three or more letters appears three or more times. */
  public static double repetitionRate(List<String> replies) {
    if (replies.isEmpty()) {
      return Double.NaN;
    }
    int repetitive = 0;
    for (String reply : replies) {
      Map<String, Integer> counts = new HashMap<>();
      for (String word : words(reply)) {
        if (word.length() >= 3 && counts.merge(word, 1, Integer::sum) >= 3) {
          repetitive++;
          break;
        }
      }
    }
    return repetitive / (double) replies.size();
  }

  /**
   * Distinct words over all words of all replies (the pooled type-token ratio). It falls as the
   * sample grows — more or longer replies reuse more words — so compare two sides on equally many
   * words with {@link #distinctWordRatio(List, int)}.
   */
  public static double distinctWordRatio(List<String> replies) {
    return distinctWordRatio(replies, Integer.MAX_VALUE);
  }

  /**
   * Distinct words among the first {@code maxWords} words of the replies, taken in order (all of
   * them when there are fewer). Two samples compared at the same {@code maxWords} differ only in
   * how varied their words are, not in how many words they hold: a policy whose replies got longer
   * is not mistaken for one whose vocabulary narrowed.
   */
  public static double distinctWordRatio(List<String> replies, int maxWords) {
    if (maxWords < 1) {
      throw new IllegalArgumentException("maxWords must be >= 1, got " + maxWords);
    }
    Set<String> distinct = new HashSet<>();
    int total = 0;
    for (String reply : replies) {
      for (String word : words(reply)) {
        if (total == maxWords) {
          return distinct.size() / (double) total;
        }
        distinct.add(word);
        total++;
      }
    }
    return total == 0 ? Double.NaN : distinct.size() / (double) total;
  }

  /** Words in all replies. */
  public static int wordCount(List<String> replies) {
    int total = 0;
    for (String reply : replies) {
      total += words(reply).size();
    }
    return total;
  }

  /**
   * Share of characters that are printable: not a control character (tab and newline allowed), not
   * the replacement character that invalid UTF-8 decodes to, not unassigned or private-use.
   */
  public static double printableShare(List<String> replies) {
    long printable = 0;
    long total = 0;
    for (String reply : replies) {
      for (int i = 0; i < reply.length(); ) {
        int c = reply.codePointAt(i);
        i += Character.charCount(c);
        total++;
        if (isPrintable(c)) {
          printable++;
        }
      }
    }
    return total == 0 ? 1.0 : printable / (double) total;
  }

  /**
   * Held-out preference accuracy: the share of held-out pairs whose implicit reward margin ranks
   * them right, h &gt; 0 (sail-objective.md, section 1). The reference itself scores 0 (h = 0).
   */
  public static double preferenceAccuracy(List<PairLogProbs> heldOutPairs) {
    if (heldOutPairs.isEmpty()) {
      return Double.NaN;
    }
    long right = heldOutPairs.stream().filter(pair -> pair.h() > 0).count();
    return right / (double) heldOutPairs.size();
  }

  static List<String> words(String reply) {
    Matcher matcher = WORD.matcher(reply);
    List<String> words = new java.util.ArrayList<>();
    while (matcher.find()) {
      words.add(matcher.group().toLowerCase(Locale.ROOT));
    }
    return words;
  }

  private static boolean isPrintable(int c) {
    if (c == '\n' || c == '\t') {
      return true;
    }
    if (c == 0xFFFD) {
      return false;
    }
    int type = Character.getType(c);
    return type != Character.CONTROL
        && type != Character.UNASSIGNED
        && type != Character.PRIVATE_USE
        && type != Character.SURROGATE
        && type != Character.FORMAT;
  }
}
