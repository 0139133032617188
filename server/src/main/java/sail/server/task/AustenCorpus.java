package sail.server.task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Jane Austen's six novels (public domain), read from the R package {@code janeaustenr} as Debian
 * ships it ({@code r-cran-janeaustenr}): one character vector of text lines per novel in the
 * package's lazy-load database {@code data/Rdata.rdx/.rdb}.
 */
public final class AustenCorpus {
  /** Where the package's data lies inside an unpacked Debian tree. */
  public static final Path DATA_IN_DEBIAN_TREE =
      Path.of("usr", "lib", "R", "site-library", "janeaustenr", "data", "Rdata");

  /** The database's object names and the titles {@code janeaustenr} gives them, by publication. */
  private static final List<Novel> NOVELS =
      List.of(
          new Novel("sensesensibility", "Sense & Sensibility"),
          new Novel("prideprejudice", "Pride & Prejudice"),
          new Novel("mansfieldpark", "Mansfield Park"),
          new Novel("emma", "Emma"),
          new Novel("northangerabbey", "Northanger Abbey"),
          new Novel("persuasion", "Persuasion"));

  private record Novel(String object, String title) {}

  /**
   * One novel.
   *
   * @param lines the text as the package stores it: wrapped lines, blank lines between paragraphs
   */
  public record Book(String title, List<String> lines) {
    public Book {
      lines = List.copyOf(lines);
    }

    /** This book's paragraphs; see {@link AustenCorpus#paragraphs(List)}. */
    public List<String> paragraphs() {
      return AustenCorpus.paragraphs(lines);
    }
  }

  private AustenCorpus() {}

  /**
   * Reads the six novels from an unpacked Debian tree (the directory holding {@code usr/}).
   *
   * @throws RFormatException if a novel is missing or is not a character vector
   */
  public static List<Book> load(Path debianTree) throws IOException {
    return load(RLazyLoadDatabase.open(debianTree.resolve(DATA_IN_DEBIAN_TREE)));
  }

  /** Reads the six novels from an opened {@code janeaustenr} database. */
  public static List<Book> load(RLazyLoadDatabase database) throws RFormatException {
    List<Book> books = new ArrayList<>();
    for (Novel novel : NOVELS) {
      RValue value = database.read(novel.object());
      if (!(value instanceof RValue.Strings strings)) {
        throw new RFormatException(
            "'" + novel.object() + "' is not a character vector but " + value);
      }
      // An NA line carries no text; it reads as a blank line.
      List<String> lines = new ArrayList<>(strings.values().size());
      for (String line : strings.values()) {
        lines.add(line == null ? "" : line);
      }
      books.add(new Book(novel.title(), lines));
    }
    return books;
  }

  /**
   * Joins wrapped lines into paragraphs: a blank line ends a paragraph, and the lines within one
   * are trimmed and joined with single spaces. Headings such as {@code "CHAPTER I"} are paragraphs
   * of their own.
   */
  public static List<String> paragraphs(List<String> lines) {
    List<String> paragraphs = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        flush(current, paragraphs);
      } else {
        if (current.length() > 0) {
          current.append(' ');
        }
        current.append(trimmed);
      }
    }
    flush(current, paragraphs);
    return paragraphs;
  }

  private static void flush(StringBuilder current, List<String> paragraphs) {
    if (current.length() > 0) {
      paragraphs.add(current.toString());
      current.setLength(0);
    }
  }
}
