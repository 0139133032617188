package sail.server.task;

import java.util.List;
import java.util.Set;

/**
 * A user who likes cheerful replies: the AFINN valence of the reply, with negation, squashed into
 * [0, 1].
 *
 * <pre>
 *   V = Σᵢ vᵢ · (−1 if one of the three words before wᵢ is a negator, else 1)
 *   appeal = ½ + ½ · tanh(V / (κ · √max(n, 1)))          κ = {@value #SCALE}, n = word count
 * </pre>
 *
 * <p>vᵢ is the AFINN-165 rating of word wᵢ (Nielsen 2011). Dividing by √n rather than n (the
 * "comparative" score of npm {@code sentiment}) keeps one warm word in a long reply from vanishing
 * while a list of warm words still saturates. A reply with V = 0 sits exactly at ½, the neutral
 * point; V &gt; 0 reads as positive.
 *
 * <p>Negators are AFINN's own list ({@code not}, {@code don't}, {@code isn't}, …) plus {@link
 * #EXTRA_NEGATORS}; the scope of three words and the extra list were chosen on the UCI sentences,
 * where they lift agreement on decisive sentences from 85.1% (AFINN's list, previous word only, as
 * npm {@code sentiment} does) to 87.5% (see {@link AnnotatorReport}).
 */
public final class PositiveSentiment implements Preference {
  /** κ: how much valence per √word takes the appeal to tanh(1) ≈ 0.76 of its range. */
  public static final double SCALE = 2.0;

  /** How many words before a rated word a negator reaches ({@code "not very good"}). */
  public static final int NEGATION_SCOPE = 3;

  /** Negators that AFINN's list lacks. */
  public static final Set<String> EXTRA_NEGATORS =
      Set.of(
          "never",
          "no",
          "nothing",
          "neither",
          "nor",
          "without",
          "hardly",
          "didn't",
          "didnt",
          "wasn't",
          "wasnt",
          "aren't",
          "couldn't",
          "wouldn't",
          "shouldn't");

  private final AfinnLexicon lexicon;

  public PositiveSentiment(AfinnLexicon lexicon) {
    this.lexicon = lexicon;
  }

  @Override
  public String name() {
    return "positive-sentiment";
  }

  @Override
  public double appeal(ReplyText reply) {
    double valence = valence(reply.words());
    return 0.5 + 0.5 * Math.tanh(valence / (SCALE * Math.sqrt(Math.max(reply.length(), 1))));
  }

  /** V: the summed AFINN ratings of {@code words}, each flipped when a negator precedes it. */
  public double valence(List<String> words) {
    double sum = 0;
    for (int i = 0; i < words.size(); i++) {
      int rating = lexicon.valence(words.get(i));
      if (rating != 0) {
        sum += negated(words, i) ? -rating : rating;
      }
    }
    return sum;
  }

  private boolean negated(List<String> words, int index) {
    for (int j = Math.max(0, index - NEGATION_SCOPE); j < index; j++) {
      if (lexicon.isNegator(words.get(j)) || EXTRA_NEGATORS.contains(words.get(j))) {
        return true;
      }
    }
    return false;
  }
}
