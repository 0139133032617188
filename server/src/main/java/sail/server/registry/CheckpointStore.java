package sail.server.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.model.CausalLanguageModel;
import sail.server.model.Checkpoint;
import sail.server.model.CheckpointException;
import sail.server.model.CheckpointMetadata;
import sail.server.model.ModelLoader;
import sail.server.model.WeightSnapshot;

/**
 * A directory of numbered checkpoints ({@code PREFIX-000000042}) of which the newest {@code keep}
 * are kept. Each is written atomically by {@link Checkpoint.Writer}; reading the latest falls back
 * to older ones when the newest is corrupt or incomplete, so a crash during a write or a damaged
 * file never loses more than the checkpoints after the last good one.
 */
public final class CheckpointStore {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

  private final Path root;
  private final String prefix;
  private final int keep;
  private final Pattern name;
  private final Pattern damagedName;
  private final Pattern interruptedWrite;

  /**
   * @param root directory holding the checkpoints (created if missing)
   * @param prefix name prefix, e.g. {@code step} or {@code version}
   * @param keep how many of the newest checkpoints to keep (≥ 1)
   */
  public CheckpointStore(Path root, String prefix, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be >= 1, got " + keep);
    }
    this.root = root;
    this.prefix = prefix;
    this.keep = keep;
    this.name = Pattern.compile(Pattern.quote(prefix) + "-(\\d{9})");
    this.damagedName = Pattern.compile(Pattern.quote(prefix) + "-(\\d{9})\\.damaged-\\d+");
    this.interruptedWrite = Pattern.compile("\\." + Pattern.quote(prefix) + "-\\d{9}\\.tmp-.*");
  }

  public Path root() {
    return root;
  }

  /** Directory of checkpoint {@code number}. */
  public Path pathOf(long number) {
    return root.resolve(String.format("%s-%09d", prefix, number));
  }

  /**
   * Writes checkpoint {@code number} and deletes all but the newest {@code keep}.
   *
   * @param extra additional files (optimizer and trainer state), or null
   */
  public CheckpointMetadata save(
      long number,
      CausalLanguageModel model,
      WeightSnapshot weights,
      long version,
      long parentVersion,
      Map<String, Object> summary,
      Checkpoint.Writer extra) {
    CheckpointMetadata metadata =
        ModelLoader.save(pathOf(number), model, weights, version, parentVersion, summary, extra);
    prune();
    return metadata;
  }

  /** Numbers of the complete-looking checkpoints, oldest first (contents not verified). */
  public List<Long> numbers() {
    List<Long> numbers = new ArrayList<>();
    for (Path entry : entries()) {
      Matcher matcher = name.matcher(entry.getFileName().toString());
      if (matcher.matches() && Files.isDirectory(entry)) {
        numbers.add(Long.parseLong(matcher.group(1)));
      }
    }
    numbers.sort(Comparator.naturalOrder());
    return numbers;
  }

  private List<Path> entries() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries.toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  /**
   * The newest checkpoint whose files all verify; damaged ones are reported, set aside (see {@link
   * #loadNewest}) and skipped.
   */
  public Optional<Found> latestValid() {
    return loadNewest(found -> found);
  }

  /**
   * Loads the newest checkpoint that verifies and that {@code loader} can read, trying older ones
   * when the newer fail: a crash mid-write or a damaged file costs at most the checkpoints after
   * the last good one. Each failure is logged as a warning naming the file, and the damaged
   * directory is renamed to {@code PREFIX-N.damaged-MILLIS} (kept for inspection, never loaded or
   * pruned) so that number N can be written again.
   *
   * @param loader reads the checkpoint and returns what the caller needs; it should not change any
   *     state before it has read everything, and signals a checkpoint it cannot use with a {@link
   *     CheckpointException}; a null result ends the search with nothing loaded
   * @return what {@code loader} returned for the newest usable checkpoint, or empty if none is
   */
  public <T> Optional<T> loadNewest(Function<Found, T> loader) {
    List<Long> numbers = numbers();
    for (int i = numbers.size() - 1; i >= 0; i--) {
      Path dir = pathOf(numbers.get(i));
      try {
        return Optional.ofNullable(
            loader.apply(new Found(numbers.get(i), dir, Checkpoint.verify(dir))));
      } catch (CheckpointException e) {
        LOG.warn(
            "{}; {}",
            e.getMessage(),
            i > 0
                ? "falling back to the previous checkpoint " + pathOf(numbers.get(i - 1))
                : "no older checkpoint to fall back to");
        setAside(dir);
      }
    }
    return Optional.empty();
  }

  /**
   * The highest number this store has ever held, damaged ones included, or -1: numbering continues
   * above it so that a number never names two different checkpoints.
   */
  public long highestNumberUsed() {
    long highest = -1;
    for (Path entry : entries()) {
      Matcher matcher = damagedName.matcher(entry.getFileName().toString());
      if (matcher.matches()) {
        highest = Math.max(highest, Long.parseLong(matcher.group(1)));
      }
    }
    List<Long> numbers = numbers();
    return numbers.isEmpty() ? highest : Math.max(highest, numbers.get(numbers.size() - 1));
  }

  /**
   * A verified checkpoint.
   *
   * @param number its number
   * @param directory where it is
   * @param metadata its metadata
   */
  public record Found(long number, Path directory, CheckpointMetadata metadata) {}

  /**
   * Deletes all but the newest {@code keep} checkpoints, and the temporary directories of writes
   * that a crash interrupted ({@code .PREFIX-N.tmp-*}, see {@link Checkpoint.Writer}): the store
   * has one writer, so after its own save none of them can still be in progress.
   */
  private void prune() {
    List<Long> numbers = numbers();
    for (int i = 0; i < numbers.size() - keep; i++) {
      deleteRecursively(pathOf(numbers.get(i)));
    }
    for (Path entry : entries()) {
      if (interruptedWrite.matcher(entry.getFileName().toString()).matches()) {
        LOG.info("deleting {}, left by an interrupted checkpoint write", entry);
        deleteRecursively(entry);
      }
    }
  }

  private void setAside(Path directory) {
    Path aside =
        directory.resolveSibling(
            directory.getFileName() + ".damaged-" + System.currentTimeMillis());
    try {
      Files.move(directory, aside);
      LOG.warn("moved the damaged checkpoint to {}; delete it once inspected", aside);
    } catch (IOException e) {
      LOG.warn("could not move the damaged checkpoint {} aside: {}", directory, e.getMessage());
    }
  }

  private static void deleteRecursively(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      LOG.warn("could not delete old checkpoint {}: {}", directory, e.getMessage());
    }
  }
}
