package sail.server.registry;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Long> numbers = new ArrayList<>();
    try (Stream<Path> entries = Files.list(root)) {
      entries.forEach(
          entry -> {
            Matcher matcher = name.matcher(entry.getFileName().toString());
            if (matcher.matches() && Files.isDirectory(entry)) {
              numbers.add(Long.parseLong(matcher.group(1)));
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    numbers.sort(Comparator.naturalOrder());
    return numbers;
  }

  /**
   * The newest checkpoint whose files all verify, newest first; corrupt ones are reported and
   * skipped.
   */
  public Optional<Found> latestValid() {
    List<Long> numbers = new ArrayList<>(numbers());
    for (int i = numbers.size() - 1; i >= 0; i--) {
      Path dir = pathOf(numbers.get(i));
      try {
        CheckpointMetadata metadata = Checkpoint.verify(dir);
        return Optional.of(new Found(numbers.get(i), dir, metadata));
      } catch (CheckpointException e) {
        LOG.warn("skipping checkpoint {}: {}", dir, e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** Loads the newest valid checkpoint (see {@link #latestValid()}). */
  public Optional<ModelLoader.Loaded> loadLatest(Device device) {
    return latestValid().map(found -> ModelLoader.load(found.directory(), device));
  }

  /**
   * A verified checkpoint.
   *
   * @param number its number
   * @param directory where it is
   * @param metadata its metadata
   */
  public record Found(long number, Path directory, CheckpointMetadata metadata) {}

  private void prune() {
    List<Long> numbers = numbers();
    for (int i = 0; i < numbers.size() - keep; i++) {
      deleteRecursively(pathOf(numbers.get(i)));
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
