package sail.server.task;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

  private static final ObjectMapper JSON = new ObjectMapper();

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
   * The turns kept for supervised fine-tuning: those whose dialogue opener is not a held-out
   * prompt, so that evaluation on held-out prompts never replays a trained exchange.
   */
  public List<DialogueTurn> sftTurns() {
    return dialogueTurns().stream()
        .filter(turn -> !PromptSets.isHeldOut(PromptSets.opener(turn.user())))
        .toList();
  }

  /** One JSON object a line: {@code {"user": ..., "assistant": ..., "book": ...}}. */
  public static List<String> dialogueJsonl(List<DialogueTurn> turns) {
    List<String> lines = new ArrayList<>(turns.size());
    for (DialogueTurn turn : turns) {
      lines.add(
          JSON.createObjectNode()
              .put("user", turn.user())
              .put("assistant", turn.assistant())
              .put("book", turn.book())
              .toString());
    }
    return lines;
  }

  /**
   * Writes the default task's class-path files and prints a JSON summary.
   *
   * <p>Usage: {@code DefaultTaskBuilder [build-data [resource-folder]]}, by default {@code
   * build-data} and {@code server/src/main/resources/sail/task}, run from the repository root.
   * Writes {@code prompts-train.jsonl}, {@code prompts-heldout.jsonl}, {@code dialogue-sft.jsonl}
   * and {@code uci-sentences.jsonl}, and copies the AFINN lexicon, the word list and their licence
   * files out of the packages. {@code NOTICE.md} is kept by hand.
   */
  public static void main(String[] args) throws IOException {
    Path buildData = Path.of(args.length > 0 ? args[0] : "build-data");
    Path out = Path.of(args.length > 1 ? args[1] : "server/src/main/resources/sail/task");
    Files.createDirectories(out);

    // the texts
    DefaultTaskBuilder task = load(buildData);
    List<LabelledSentence> sentences = UciSentences.loadFixtures(buildData);
    List<DialogueTurn> sft = task.sftTurns();
    PromptSets.Split prompts = PromptSets.build(task.dialogueTurns(), sentences);
    write(out.resolve(TaskResources.PROMPTS_TRAIN), PromptSets.toJsonl(prompts.train()));
    write(out.resolve(TaskResources.PROMPTS_HELD_OUT), PromptSets.toJsonl(prompts.heldOut()));
    write(out.resolve(TaskResources.DIALOGUE_SFT), dialogueJsonl(sft));
    write(out.resolve(TaskResources.UCI_SENTENCES), UciSentences.toJsonl(sentences));

    // the lexicons, with the licences they come under
    Path sentiment = buildData.resolve("npm").resolve("sentiment");
    Path debian = buildData.resolve(DEBIAN_TREE);
    copy(sentiment.resolve("languages/en/labels.json"), out.resolve(TaskResources.AFINN));
    copy(
        sentiment.resolve("languages/en/negators.json"), out.resolve(TaskResources.AFINN_NEGATORS));
    copy(sentiment.resolve("LICENSE.md"), out.resolve("LICENSE-npm-sentiment.md"));
    copy(debian.resolve("usr/share/dict/words"), out.resolve(TaskResources.WORDS));
    copy(
        debian.resolve("usr/share/doc/wamerican/copyright"),
        out.resolve("COPYRIGHT-wamerican.txt"));

    List<String> pretrain = task.pretrainText();
    var summary = JSON.createObjectNode();
    summary.put("pretrainDocuments", pretrain.size());
    summary.put("pretrainChars", pretrain.stream().mapToLong(String::length).sum());
    summary.put("novelParagraphs", pretrain.size() - task.fortunes().size());
    summary.put("fortunes", task.fortunes().size());
    summary.put("dialogueTurns", task.dialogueTurns().size());
    summary.put("sftTurns", sft.size());
    summary.put("promptsTrain", prompts.train().size());
    summary.put("promptsHeldOut", prompts.heldOut().size());
    summary.put("uciSentences", sentences.size());
    System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
  }

  private static void write(Path file, List<String> lines) throws IOException {
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING); // follows links such as dict/words
  }
}
