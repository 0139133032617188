package sail.server.task;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Pairs up consecutive speeches in a novel's paragraphs as (user, assistant) turns.
 *
 * <p>Austen writes each speaker's turn as its own paragraph, with narration around the quoted words
 * ({@code "I cannot agree," said Emma, "it is too soon."}). A paragraph's <em>speech</em> is the
 * text inside its double quotes (straight {@code "} or curly {@code “ ”}), its pieces joined; two
 * consecutive paragraphs that both contain speech give one turn. Where a quote is still open at the
 * end of a paragraph, the same speaker goes on in the next paragraph, so that paragraph starts no
 * turn and ends none.
 *
 * <p>A speech longer than {@link #MAX_CHARS} is cut at sentence boundaries rather than dropped: the
 * user side keeps its last sentences (those the reply answers), the assistant side its first.
 *
 * <p>Worked example: the paragraphs
 *
 * <pre>
 * "Poor Miss Taylor!--I wish she were here again," said Mr. Woodhouse.
 * "I cannot agree with you, papa; you know I cannot."
 * </pre>
 *
 * give the turn ({@code Poor Miss Taylor!--I wish she were here again.}, {@code I cannot agree with
 * you, papa; you know I cannot.}).
 */
public final class DialogueExtractor {
  /** A turn whose speech is shorter or longer than this (in characters) is not used. */
  public static final int MIN_CHARS = 10;

  public static final int MAX_CHARS = 300;

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern TITLE = Pattern.compile("\\b(Mr|Mrs|Dr|St|Col|Capt)\\.$");

  private DialogueExtractor() {}

  /** The speech of one paragraph, and whether its last quote runs on past the paragraph. */
  record Speech(String text, boolean runsOn) {}

  /**
   * The turns of one novel, in reading order; a reply is also the user side of the next turn when
   * the conversation goes on.
   *
   * @param paragraphs the novel's paragraphs, as {@link AustenCorpus#paragraphs} makes them
   * @param book the title to record with each turn
   */
  public static List<DialogueTurn> extract(List<String> paragraphs, String book) {
    List<DialogueTurn> turns = new ArrayList<>();
    Speech previous = null;
    for (String paragraph : paragraphs) {
      Speech current = speech(paragraph);
      if (previous != null && current != null && !previous.runsOn() && !current.runsOn()) {
        String user = lastSentences(previous.text());
        String assistant = firstSentences(current.text());
        if (user.length() >= MIN_CHARS && assistant.length() >= MIN_CHARS) {
          turns.add(new DialogueTurn(user, assistant, book));
        }
      }
      previous = current;
    }
    return turns;
  }

  /** The longest run of leading whole sentences that fits {@link #MAX_CHARS}; "" if none does. */
  static String firstSentences(String text) {
    return firstSentences(text, MAX_CHARS);
  }

  /** The longest run of leading whole sentences of at most {@code max} chars; "" if none fits. */
  static String firstSentences(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    String best = "";
    for (int end : sentenceEnds(text)) {
      if (end > max) {
        break;
      }
      best = text.substring(0, end);
    }
    return best;
  }

  /** The longest run of trailing whole sentences that fits {@link #MAX_CHARS}; "" if none does. */
  static String lastSentences(String text) {
    if (text.length() <= MAX_CHARS) {
      return text;
    }
    for (int end : sentenceEnds(text)) {
      String rest = text.substring(end).strip();
      if (rest.length() <= MAX_CHARS) {
        return rest;
      }
    }
    return "";
  }

  /**
   * The offsets just after each sentence-ending {@code . ! ?} that a space follows, skipping the
   * full stops of titles such as {@code Mr.}; the text's own end is the last offset.
   */
  private static List<Integer> sentenceEnds(String text) {
    List<Integer> ends = new ArrayList<>();
    for (int i = 0; i + 1 < text.length(); i++) {
      char c = text.charAt(i);
      if ((c == '.' || c == '!' || c == '?')
          && text.charAt(i + 1) == ' '
          && !TITLE.matcher(text.substring(Math.max(0, i - 4), i + 1)).find()) {
        ends.add(i + 1);
      }
    }
    ends.add(text.length());
    return ends;
  }

  /**
   * The quoted words of a paragraph, or {@code null} if it has none.
   *
   * <p>Pieces are joined as the reader hears them: the comma that closes a piece before a dialogue
   * tag ({@code "I cannot," said she, "agree."}) is dropped when the next piece goes on in lower
   * case and becomes a full stop at the end of the speech. Underscores (Austen's italics) are
   * removed and whitespace is collapsed.
   */
  static Speech speech(String paragraph) {
    List<String> pieces = new ArrayList<>();
    StringBuilder piece = null; // non-null while inside a quote
    for (int i = 0; i < paragraph.length(); i++) {
      char c = paragraph.charAt(i);
      boolean opens = c == '\u201C' || (c == '"' && piece == null);
      boolean closes = c == '\u201D' || (c == '"' && piece != null);
      if (closes && piece != null) {
        pieces.add(piece.toString());
        piece = null;
      } else if (opens && piece == null) {
        piece = new StringBuilder();
      } else if (piece != null) {
        piece.append(c);
      }
    }
    boolean runsOn = piece != null;
    if (runsOn) {
      pieces.add(piece.toString());
    }
    String text = join(pieces);
    return text.isEmpty() ? null : new Speech(text, runsOn);
  }

  private static String join(List<String> pieces) {
    StringBuilder text = new StringBuilder();
    for (String raw : pieces) {
      String piece = WHITESPACE.matcher(raw.replace("_", "")).replaceAll(" ").strip();
      if (piece.isEmpty()) {
        continue;
      }
      if (text.length() > 0) {
        boolean goesOn = Character.isLowerCase(piece.charAt(0));
        replaceTrailingComma(text, goesOn ? "" : ".");
        text.append(' ');
      }
      text.append(piece);
    }
    replaceTrailingComma(text, ".");
    return text.toString();
  }

  private static void replaceTrailingComma(StringBuilder text, String replacement) {
    int last = text.length() - 1;
    if (last >= 0 && text.charAt(last) == ',') {
      text.replace(last, last + 1, replacement);
    }
  }
}
