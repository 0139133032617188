package sail.server.task;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the project's default task from the packages that {@code scripts/fetch-task-packages.sh}
 * unpacks into {@code build-data/}: the texts a base model is pre-trained on and the dialogue turns
 * it is fine-tuned on.
 *
 * <p>Reading happens once, in {@link #load}; the accessors then only rearrange what was read and
 * return fresh immutable lists.
 */
public final class DefaultTaskBuilder {
  /** The unpacked Debian packages, relative to {@code build-data/}. */
  public static final Path DEBIAN_TREE = Path.of("debian");

  private final List<AustenCorpus.Book> novels;
  private final List<String> fortunes;

  private DefaultTaskBuilder(List<AustenCorpus.Book> novels, List<String> fortunes) {
    this.novels = List.copyOf(novels);
    this.fortunes = List.copyOf(fortunes);
  }

  /**
   * Reads the novels and the fortunes.
   *
   * @param buildData the {@code build-data/} directory the fetch script fills
   */
  public static DefaultTaskBuilder load(Path buildData) throws IOException {
    Path debian = buildData.resolve(DEBIAN_TREE);
    return new DefaultTaskBuilder(AustenCorpus.load(debian), FortunesCorpus.load(debian));
  }

  /** Austen's six novels, in order of publication. */
  public List<AustenCorpus.Book> novels() {
    return novels;
  }

  /** The prose fortunes, cleaned to one line each. */
  public List<String> fortunes() {
    return fortunes;
  }

  /**
   * The pre-training documents: every paragraph of the six novels in reading order (chapter
   * headings included), then every fortune. One paragraph or one quote is one document; a trainer
   * that wants longer contexts can concatenate neighbours, which are kept adjacent.
   */
  public List<String> pretrainText() {
    List<String> documents = new ArrayList<>();
    for (AustenCorpus.Book book : novels) {
      documents.addAll(book.paragraphs());
    }
    documents.addAll(fortunes);
    return List.copyOf(documents);
  }

  /** Every dialogue turn of the six novels, in reading order; see {@link DialogueExtractor}. */
  public List<DialogueTurn> dialogueTurns() {
    List<DialogueTurn> turns = new ArrayList<>();
    for (AustenCorpus.Book book : novels) {
      turns.addAll(DialogueExtractor.extract(book.paragraphs(), book.title()));
    }
    return List.copyOf(turns);
  }

  /**
   * Prints what the packages give.
   *
   * <p>Usage: {@code DefaultTaskBuilder [build-data]}.
   */
  public static void main(String[] args) throws IOException {
    Path buildData = Path.of(args.length > 0 ? args[0] : "build-data");
    DefaultTaskBuilder task = load(buildData);
    List<String> pretrain = task.pretrainText();
    long chars = pretrain.stream().mapToLong(String::length).sum();
    System.out.printf(
        "novels=%d paragraphs+quotes=%d chars=%d fortunes=%d dialogueTurns=%d%n",
        task.novels().size(),
        pretrain.size(),
        chars,
        task.fortunes().size(),
        task.dialogueTurns().size());
  }
}
