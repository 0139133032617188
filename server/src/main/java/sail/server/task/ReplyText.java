package sail.server.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reply cut into the pieces the simulated annotator looks at.
 *
 * <p><em>Words</em> are the maximal runs of letters (with inner apostrophes, as in {@code don't}),
 * lower-cased, in order. <em>Chunks</em> are the whitespace-separated pieces of the raw text (also
 * split at dashes {@code --}, {@code —}); a chunk is <em>known</em> when, stripped of ordinary
 * punctuation around it, it is a dictionary word, a hyphenation of dictionary words or a number,
 * and the punctuation is not a shouted run like {@code !!} (an ellipsis {@code ...} is fine).
 * Chunks of one to three ordinary punctuation marks ({@code -}, {@code &}, {@code ...}) are not
 * counted at all. Anything else, such as control characters, replacement characters from invalid
 * bytes, or {@code g00d#}, makes a chunk unknown.
 *
 * <p>A capitalised word the dictionary lacks ({@code Wickham}, {@code Highbury}) counts as half
 * known: names are part of fluent speech, but a reply cannot reach a high known share with made-up
 * capitalised words alone.
 *
 * @param words the lower-case words in order
 * @param chunks how many chunks were counted
 * @param known how many of them are known, names counting one half each
 */
public record ReplyText(List<String> words, int chunks, double known) {
  private static final Pattern WORD = Pattern.compile("\\p{L}+(?:'\\p{L}+)*");
  private static final Pattern CHUNK_SPLIT = Pattern.compile("\\s+|--+|\u2014|\u2013");
  private static final Pattern CORE_WORD = Pattern.compile("\\p{L}+(?:['-]\\p{L}+)*");
  private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,:]\\d+)*(?:%|st|nd|rd|th|s)?");
  private static final Pattern NAME = Pattern.compile("\\p{Lu}\\p{Ll}{2,}(?:'s)?");
  private static final String LEADING = "\"'([{\u201C\u2018";
  private static final String TRAILING = ".,;:!?\"')]}\u201D\u2019\u2026";
  private static final String LONE_MARKS = "-&.,;:!?/";

  public ReplyText {
    words = List.copyOf(words);
  }

  /** Cuts {@code text} up and checks each chunk against {@code dictionary}. */
  public static ReplyText of(String text, WordDictionary dictionary) {
    String normal = text.replace('\u2019', '\'');
    List<String> words = new ArrayList<>();
    Matcher word = WORD.matcher(normal);
    while (word.find()) {
      words.add(word.group().toLowerCase(Locale.ROOT));
    }
    int chunks = 0;
    double known = 0;
    for (String chunk : CHUNK_SPLIT.split(normal)) {
      if (chunk.isEmpty() || isLoneMarks(chunk)) {
        continue;
      }
      chunks++;
      known += familiarity(chunk, dictionary);
    }
    return new ReplyText(words, chunks, known);
  }

  /** How many words the reply has. */
  public int length() {
    return words.size();
  }

  /** The share of counted chunks that are known; 0 for a reply with none. */
  public double knownShare() {
    return chunks == 0 ? 0.0 : known / chunks;
  }

  private static boolean isLoneMarks(String chunk) {
    return chunk.length() <= 3 && chunk.chars().allMatch(c -> LONE_MARKS.indexOf(c) >= 0);
  }

  /** 1 for a known chunk, ½ for a capitalised name the dictionary lacks, else 0. */
  private static double familiarity(String chunk, WordDictionary dictionary) {
    int start = 0;
    int end = chunk.length();
    while (start < end && LEADING.indexOf(chunk.charAt(start)) >= 0) {
      start++;
    }
    while (end > start && TRAILING.indexOf(chunk.charAt(end - 1)) >= 0) {
      end--;
    }
    if (start > 2 || shouted(chunk.substring(end))) {
      return 0.0;
    }
    String core = chunk.substring(start, end);
    if (NUMBER.matcher(core).matches()) {
      return 1.0;
    }
    if (!CORE_WORD.matcher(core).matches()) {
      return 0.0;
    }
    if (dictionary.contains(core)) {
      return 1.0;
    }
    if (NAME.matcher(core).matches()) {
      return 0.5;
    }
    for (String part : core.split("-")) {
      if (!dictionary.contains(part)) {
        return 0.0;
      }
    }
    return 1.0; // a hyphenation of known words, such as good-humoured
  }

  /** A mark repeated: more than three full stops, or any other mark twice in a row. */
  private static boolean shouted(String trailing) {
    int run = 1;
    for (int i = 1; i < trailing.length(); i++) {
      char c = trailing.charAt(i);
      run = c == trailing.charAt(i - 1) ? run + 1 : 1;
      if (run > (c == '.' ? 3 : 1)) {
        return true;
      }
    }
    return false;
  }
}
