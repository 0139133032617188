package sail.server.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The default task's prompts, split once and for all into train and held-out sets.
 *
 * <p>Two kinds of prompt: <em>dialogue openers</em>, the user side of {@link DialogueExtractor}
 * turns cut to their leading sentences (at most {@value #MAX_OPENER_CHARS} characters), and
 * <em>review openings</em>, the first 3–8 words of each UCI sentence (the count fixed per sentence
 * by a hash, so the split is reproducible), which invite the model to go on in some mood.
 *
 * <p>The split depends on nothing but the prompt's own text: a prompt is held out when the first
 * eight bytes of SHA-256 of its normalised form (lower case, single spaces), read as an unsigned
 * number, are below {@value #HELD_OUT_PERCENT}% mod 100. Adding or removing other prompts never
 * moves a prompt across the split, and duplicates (same normalised form) are kept once, so the two
 * sets are disjoint.
 */
public final class PromptSets {
  /** About this share of prompts is held out, in percent. */
  public static final int HELD_OUT_PERCENT = 20;

  /** Dialogue openers are cut to whole sentences of at most this many characters. */
  public static final int MAX_OPENER_CHARS = 120;

  public static final String DIALOGUE_SOURCE = "austen-dialogue";

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern EDGE_PUNCTUATION =
      Pattern.compile("^[^\\p{L}\\p{N}]+|[^\\p{L}\\p{N}]+$");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Both sets, each in first-seen order. */
  public record Split(List<Prompt> train, List<Prompt> heldOut) {
    public Split {
      train = List.copyOf(train);
      heldOut = List.copyOf(heldOut);
    }
  }

  private PromptSets() {}

  /** Whether {@code prompt} belongs to the held-out set. */
  public static boolean isHeldOut(String prompt) {
    return Long.remainderUnsigned(hash(normalise(prompt), "split"), 100) < HELD_OUT_PERCENT;
  }

  /**
   * Builds the prompts from dialogue turns and labelled sentences, deduplicates and splits them.
   */
  public static Split build(List<DialogueTurn> turns, List<LabelledSentence> sentences) {
    List<Prompt> prompts = new ArrayList<>();
    for (DialogueTurn turn : turns) {
      String opener = opener(turn.user());
      if (!opener.isEmpty()) {
        prompts.add(new Prompt(opener, DIALOGUE_SOURCE));
      }
    }
    for (LabelledSentence sentence : sentences) {
      String opening = opening(sentence.text());
      if (!opening.isEmpty()) {
        prompts.add(new Prompt(opening, "uci-" + sentence.source()));
      }
    }
    return split(prompts);
  }

  /** Deduplicates {@code prompts} by normalised text (first one wins) and splits them. */
  public static Split split(List<Prompt> prompts) {
    Map<String, Prompt> unique = new LinkedHashMap<>();
    for (Prompt prompt : prompts) {
      unique.putIfAbsent(normalise(prompt.prompt()), prompt);
    }
    List<Prompt> train = new ArrayList<>();
    List<Prompt> heldOut = new ArrayList<>();
    for (Prompt prompt : unique.values()) {
      (isHeldOut(prompt.prompt()) ? heldOut : train).add(prompt);
    }
    return new Split(train, heldOut);
  }

  /** The leading whole sentences of a user turn, up to {@value #MAX_OPENER_CHARS} chars; or "". */
  public static String opener(String userTurn) {
    String opener = DialogueExtractor.firstSentences(userTurn.strip(), MAX_OPENER_CHARS);
    return opener.length() >= DialogueExtractor.MIN_CHARS ? opener : "";
  }

  /**
   * The first k words of {@code sentence}, k = 3 + (hash mod 6) but always at least one word short
   * of the whole, with punctuation trimmed from both ends; "" for sentences under four words.
   */
  public static String opening(String sentence) {
    String[] words = WHITESPACE.split(sentence.strip());
    if (words.length < 4) {
      return "";
    }
    int wanted = 3 + (int) Long.remainderUnsigned(hash(normalise(sentence), "opening"), 6);
    int k = Math.min(wanted, words.length - 1);
    String opening =
        EDGE_PUNCTUATION.matcher(String.join(" ", List.of(words).subList(0, k))).replaceAll("");
    return opening.length() >= 3 ? opening : "";
  }

  /** One JSON object a line: {@code {"prompt": ..., "source": ...}}. */
  public static List<String> toJsonl(List<Prompt> prompts) {
    List<String> lines = new ArrayList<>(prompts.size());
    for (Prompt prompt : prompts) {
      lines.add(
          JSON.createObjectNode()
              .put("prompt", prompt.prompt())
              .put("source", prompt.source())
              .toString());
    }
    return lines;
  }

  /** Parses the JSON-lines form; blank lines are ignored. */
  public static List<Prompt> readJsonl(InputStream in) throws IOException {
    List<Prompt> prompts = new ArrayList<>();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      if (!line.isBlank()) {
        JsonNode node = JSON.readTree(line);
        prompts.add(new Prompt(node.get("prompt").asText(), node.get("source").asText()));
      }
    }
    return prompts;
  }

  /** The train prompts on the class path. */
  public static List<Prompt> loadTrain() {
    return loadResource(TaskResources.PROMPTS_TRAIN);
  }

  /** The held-out prompts on the class path. */
  public static List<Prompt> loadHeldOut() {
    return loadResource(TaskResources.PROMPTS_HELD_OUT);
  }

  private static List<Prompt> loadResource(String name) {
    try (InputStream in = TaskResources.open(name)) {
      return readJsonl(in);
    } catch (IOException e) {
      throw new UncheckedIOException("prompt file " + name + " is unreadable", e);
    }
  }

  static String normalise(String text) {
    return WHITESPACE.matcher(text.strip().toLowerCase(Locale.ROOT)).replaceAll(" ");
  }

  /** The first eight bytes of SHA-256 over {@code salt + ":" + text}. */
  private static long hash(String text, String salt) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((salt + ":" + text).getBytes(StandardCharsets.UTF_8));
      long value = 0;
      for (int i = 0; i < 8; i++) {
        value = (value << 8) | (digest[i] & 0xFF);
      }
      return value;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-256", e);
    }
  }
}
