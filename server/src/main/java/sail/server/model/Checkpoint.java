package sail.server.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A checkpoint directory: {@code weights.safetensors}, {@code config.json}, {@code tokenizer.json},
 * optional extra files (optimizer state, trainer state) and {@code metadata.json}, which records
 * the SHA-256 of every other file.
 *
 * <p>Writing is atomic: everything goes to a temporary sibling directory that is fsynced and then
 * renamed, so a reader sees either the complete checkpoint or none. Reading verifies every hash, so
 * a truncated or corrupt file is reported by name instead of loading garbage.
 */
public final class Checkpoint {
  public static final String WEIGHTS = "weights.safetensors";
  public static final String CONFIG = "config.json";
  public static final String TOKENIZER = "tokenizer.json";
  public static final String METADATA = "metadata.json";

  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Checkpoint() {}

  /** Collects the files of a checkpoint and writes them atomically. */
  public static final class Writer {
    private final Map<String, byte[]> files = new LinkedHashMap<>();

    /** Adds named arrays as a safetensors file. */
    public Writer arrays(String fileName, NDList named) {
      files.put(fileName, named.encode(NDList.Encoding.SAFETENSORS));
      return this;
    }

    /** Adds an object as a JSON file. */
    public Writer json(String fileName, Object value) {
      try {
        files.put(fileName, JSON.writeValueAsBytes(value));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot serialise " + fileName, e);
      }
      return this;
    }

    /** Adds raw bytes. */
    public Writer bytes(String fileName, byte[] content) {
      files.put(fileName, content.clone());
      return this;
    }

    /**
     * Writes the checkpoint to {@code target} (which must not exist) with the given metadata; the
     * metadata's {@code files} map is filled in here.
     */
    public CheckpointMetadata write(Path target, CheckpointMetadata metadata) {
      Path parent = target.toAbsolutePath().getParent();
      Path temp = parent.resolve("." + target.getFileName() + ".tmp-" + System.nanoTime());
      Map<String, String> hashes = new LinkedHashMap<>();
      try {
        Files.createDirectories(parent);
        if (Files.exists(target)) {
          throw new CheckpointException(target, "already exists; checkpoints are immutable");
        }
        Files.createDirectory(temp);
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
          writeDurably(temp.resolve(file.getKey()), file.getValue());
          hashes.put(file.getKey(), sha256(file.getValue()));
        }
        CheckpointMetadata complete =
            new CheckpointMetadata(
                metadata.version(),
                metadata.parentVersion(),
                metadata.createdAt(),
                metadata.architecture(),
                hashes,
                metadata.training());
        writeDurably(temp.resolve(METADATA), JSON.writeValueAsBytes(complete));
        fsyncDirectory(temp);
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, target);
        }
        fsyncDirectory(parent);
        return complete;
      } catch (IOException e) {
        deleteQuietly(temp);
        throw new CheckpointException(target, "write failed: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        deleteQuietly(temp);
        throw e;
      }
    }
  }

  /** Reads and verifies {@code metadata.json} and the hash of every file it lists. */
  public static CheckpointMetadata verify(Path directory) {
    Path metadataFile = directory.resolve(METADATA);
    CheckpointMetadata metadata = readJson(metadataFile, CheckpointMetadata.class);
    if (metadata.files().isEmpty()) {
      throw new CheckpointException(metadataFile, "lists no files");
    }
    for (Map.Entry<String, String> file : metadata.files().entrySet()) {
      Path path = directory.resolve(file.getKey());
      byte[] content = readBytes(path);
      if (!sha256(content).equals(file.getValue())) {
        throw new CheckpointException(
            path,
            "is corrupt or truncated ("
                + content.length
                + " bytes; SHA-256 differs from "
                + METADATA
                + ")");
      }
    }
    return metadata;
  }

  /** Reads named arrays from a verified checkpoint file into {@code manager}. */
  public static NDList readArrays(Path file, NDManager manager) {
    byte[] content = readBytes(file);
    try {
      return NDList.decode(manager, new ByteArrayInputStream(content));
    } catch (RuntimeException e) {
      throw new CheckpointException(file, "is not a readable tensor file: " + e.getMessage(), e);
    }
  }

  /** Reads a JSON file of a checkpoint. */
  public static <T> T readJson(Path file, Class<T> type) {
    byte[] content = readBytes(file);
    try {
      return JSON.readValue(content, type);
    } catch (IOException e) {
      throw new CheckpointException(file, "is not valid JSON: " + e.getMessage(), e);
    }
  }

  static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(file, "is missing", e);
    } catch (IOException e) {
      throw new CheckpointException(file, "cannot be read: " + e.getMessage(), e);
    }
  }

  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static void writeDurably(Path file, byte[] content) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      var buffer = java.nio.ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  private static void fsyncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // some file systems cannot open directories; the rename is still atomic there
    }
  }

  private static void deleteQuietly(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a leftover temp directory is ignored by readers
    }
  }
}
