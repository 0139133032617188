package sail.server.task;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A spelling dictionary: the words of Debian's {@code wamerican} ({@code /usr/share/dict/words},
 * from SCOWL), compared without case. Attribution: {@code sail/task/NOTICE.md}.
 */
public final class WordDictionary {
  private final Set<String> words;

  /** A dictionary of the given words, compared without case. */
  public WordDictionary(Collection<String> words) {
    Set<String> lower = new HashSet<>();
    for (String word : words) {
      lower.add(word.strip().toLowerCase(Locale.ROOT));
    }
    lower.remove("");
    this.words = Set.copyOf(lower);
  }

  /** The dictionary on the class path ({@code sail/task/words.txt}, one word a line). */
  public static WordDictionary load() {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                TaskResources.open(TaskResources.WORDS), StandardCharsets.UTF_8))) {
      return new WordDictionary(reader.lines().toList());
    } catch (IOException e) {
      throw new UncheckedIOException("the word list is unreadable", e);
    }
  }

  /** Whether {@code word} is listed, in any case; a possessive {@code 's} may be added. */
  public boolean contains(String word) {
    String lower = word.toLowerCase(Locale.ROOT).replace('\u2019', '\'');
    if (words.contains(lower)) {
      return true;
    }
    return lower.endsWith("'s") && words.contains(lower.substring(0, lower.length() - 2));
  }

  /** How many distinct words are listed. */
  public int size() {
    return words.size();
  }
}
