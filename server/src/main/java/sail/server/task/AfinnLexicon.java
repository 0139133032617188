package sail.server.task;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The AFINN-165 valence lexicon (Nielsen 2011, "A new ANEW", arXiv:1103.2903): English words rated
 * from −5 (very negative) to +5 (very positive), with the negators that flip a rating, as the npm
 * package {@code sentiment@5.0.2} ships them. Multi-word entries are kept but only single words are
 * ever looked up. Attribution: {@code sail/task/NOTICE.md}.
 */
public final class AfinnLexicon {
  private final Map<String, Integer> valences;
  private final Set<String> negators;

  /**
   * A lexicon from explicit tables.
   *
   * @param valences lower-case word → rating in −5..5
   * @param negators lower-case words such as {@code not} that flip the next rated word
   */
  public AfinnLexicon(Map<String, Integer> valences, Set<String> negators) {
    this.valences = Map.copyOf(valences);
    this.negators = Set.copyOf(negators);
  }

  /** The lexicon on the class path ({@code sail/task/afinn-165.json} and its negators). */
  public static AfinnLexicon load() {
    ObjectMapper json = new ObjectMapper();
    try (InputStream valences = TaskResources.open(TaskResources.AFINN);
        InputStream negators = TaskResources.open(TaskResources.AFINN_NEGATORS)) {
      Map<String, Integer> ratings = json.readValue(valences, new TypeReference<>() {});
      Map<String, Integer> flips = json.readValue(negators, new TypeReference<>() {});
      return new AfinnLexicon(ratings, new HashSet<>(flips.keySet()));
    } catch (IOException e) {
      throw new UncheckedIOException("the AFINN resources are unreadable", e);
    }
  }

  /** The rating of {@code word} (any case), 0 when AFINN does not list it. */
  public int valence(String word) {
    return valences.getOrDefault(word.toLowerCase(Locale.ROOT), 0);
  }

  /** Whether {@code word} (any case) is a negator. */
  public boolean isNegator(String word) {
    return negators.contains(word.toLowerCase(Locale.ROOT));
  }

  /** How many entries the lexicon rates. */
  public int size() {
    return valences.size();
  }
}
