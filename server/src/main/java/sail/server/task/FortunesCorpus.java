package sail.server.task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Quotes from the BSD {@code fortune} data files (Debian {@code fortunes} and {@code
 * fortunes-min}): each file under {@code usr/share/games/fortunes/} is a list of quotes separated
 * by lines holding a single {@code %}.
 *
 * <p>Only prose is kept. Skipped: the {@code off/} directory (offensive), the index files ({@code
 * .dat}) and the UTF-8 aliases ({@code .u8}), and the files in {@link #UNSUITABLE_FILES}. Within a
 * quote, attribution lines (an indented {@code -- Author} and whatever follows it) are dropped,
 * overstruck characters are resolved, and whitespace is collapsed to single spaces.
 */
public final class FortunesCorpus {
  /** Where the fortune files lie inside an unpacked Debian tree. */
  public static final Path FORTUNES_IN_DEBIAN_TREE = Path.of("usr", "share", "games", "fortunes");

  /**
   * Files that are not prose a small model should learn English from: pictures ({@code ascii-art}),
   * IRC logs, shell sessions and code ({@code debian}, {@code knghtbrd}, {@code linux}, {@code
   * linuxcookie}, {@code perl}), jokes built on ethnic or sexist stereotypes ({@code ethnic},
   * {@code men-women}), shouted non sequiturs ({@code zippy}), and the file of quotes awaiting
   * translation ({@code translate-me}). {@code jargon} is listed in case a package ships it again.
   */
  public static final Set<String> UNSUITABLE_FILES =
      Set.of(
          "ascii-art",
          "debian",
          "knghtbrd",
          "linux",
          "linuxcookie",
          "perl",
          "ethnic",
          "men-women",
          "zippy",
          "translate-me",
          "jargon");

  /** Quotes shorter or longer than this (after cleaning) are dropped. */
  public static final int MIN_CHARS = 20;

  public static final int MAX_CHARS = 1500;

  private static final Pattern SEPARATOR = Pattern.compile("(?m)^%\\s*$");
  private static final Pattern ATTRIBUTION = Pattern.compile("^\\s+--\\s.*");
  private static final Pattern CHAT_LINE =
      Pattern.compile("^\\s*(<[^>\\s]+>|\\* \\S+ |\\S+[>$#] ).*");
  private static final Pattern OVERSTRIKE = Pattern.compile(".\b");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private FortunesCorpus() {}

  /**
   * Reads every suitable quote under {@code usr/share/games/fortunes/} of an unpacked Debian tree,
   * file by file in name order, without duplicates.
   */
  public static List<String> load(Path debianTree) throws IOException {
    Path directory = debianTree.resolve(FORTUNES_IN_DEBIAN_TREE);
    List<Path> files;
    try (Stream<Path> listing = Files.list(directory)) {
      files =
          listing
              .filter(Files::isRegularFile) // leaves out the off/ directory
              .filter(path -> isQuoteFile(path.getFileName().toString()))
              .sorted()
              .toList();
    }
    Set<String> quotes = new LinkedHashSet<>();
    for (Path file : files) {
      quotes.addAll(parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8)));
    }
    return List.copyOf(quotes);
  }

  private static boolean isQuoteFile(String name) {
    return !name.endsWith(".dat")
        && !name.endsWith(".u8")
        && !name.startsWith(".")
        && !UNSUITABLE_FILES.contains(name);
  }

  /** The cleaned prose quotes of one fortune file's text, in file order. */
  public static List<String> parse(String fileText) {
    List<String> quotes = new ArrayList<>();
    for (String raw : SEPARATOR.split(fileText)) {
      String quote = clean(raw);
      if (quote != null) {
        quotes.add(quote);
      }
    }
    return quotes;
  }

  /** One quote cleaned to a single line of prose, or {@code null} if it is not prose. */
  static String clean(String raw) {
    StringBuilder text = new StringBuilder();
    for (String line : OVERSTRIKE.matcher(raw).replaceAll("").split("\n", -1)) {
      if (ATTRIBUTION.matcher(line).matches()) {
        break; // the author, and any continuation lines of the attribution, follow
      }
      if (CHAT_LINE.matcher(line).matches() || line.startsWith("%%")) {
        return null;
      }
      text.append(line).append('\n');
    }
    String quote = WHITESPACE.matcher(text).replaceAll(" ").strip();
    return isProse(quote) ? quote : null;
  }

  /** Mostly letters, no replacement characters from undecodable bytes, and of a sensible size. */
  private static boolean isProse(String quote) {
    if (quote.length() < MIN_CHARS || quote.length() > MAX_CHARS || quote.indexOf('\uFFFD') >= 0) {
      return false;
    }
    long letters = quote.chars().filter(Character::isLetter).count();
    long visible = quote.chars().filter(c -> !Character.isWhitespace(c)).count();
    return letters >= 0.75 * visible;
  }
}
