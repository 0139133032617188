package sail.server.task;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * Reads an R lazy-load database: the {@code Rdata.rdx}/{@code Rdata.rdb} pair an installed R
 * package keeps its {@code data/} objects in.
 *
 * <p>The index {@code .rdx} is a (usually gzip-compressed) serialized list with elements {@code
 * variables} (a named list of {@code c(offset, length)} integer pairs into the {@code .rdb}),
 * {@code references} and {@code compressed}. With {@code compressed = TRUE} each {@code .rdb} entry
 * is a 4-byte big-endian uncompressed length followed by a zlib stream of the serialized object;
 * with {@code FALSE} it is the serialization as is. bzip2 and xz entries ({@code compressed} 2 or
 * 3) are rejected.
 */
public final class RLazyLoadDatabase {
  private final byte[] data;
  private final Map<String, int[]> variables;
  private final boolean zlib;

  private RLazyLoadDatabase(byte[] data, Map<String, int[]> variables, boolean zlib) {
    this.data = data;
    this.variables = variables;
    this.zlib = zlib;
  }

  /**
   * Opens the database whose files are {@code base + ".rdx"} and {@code base + ".rdb"}.
   *
   * @param base the path without extension, for example {@code .../janeaustenr/data/Rdata}
   */
  public static RLazyLoadDatabase open(Path base) throws IOException {
    Path rdx = base.resolveSibling(base.getFileName() + ".rdx");
    Path rdb = base.resolveSibling(base.getFileName() + ".rdb");
    return of(Files.readAllBytes(rdx), Files.readAllBytes(rdb));
  }

  /** A database from the bytes of its two files, as they are stored on disk. */
  public static RLazyLoadDatabase of(byte[] rdx, byte[] rdb) throws IOException {
    RValue index = RSerialization.read(maybeGunzip(rdx));
    if (!(index instanceof RValue.Generic list)) {
      throw new RFormatException("the .rdx index is not a list but " + index);
    }
    if (!(list.get("variables") instanceof RValue.Generic variableList)) {
      throw new RFormatException("the .rdx 'variables' element is not a list");
    }
    Map<String, int[]> variables = new LinkedHashMap<>();
    List<String> names = variableList.names();
    for (int i = 0; i < names.size(); i++) {
      if (!(variableList.elements().get(i) instanceof RValue.Integers position)
          || position.values().length != 2) {
        throw new RFormatException("the position of '" + names.get(i) + "' is not two integers");
      }
      variables.put(names.get(i), position.values());
    }
    return new RLazyLoadDatabase(rdb, variables, compression(list.get("compressed")));
  }

  private static boolean compression(RValue compressed) throws RFormatException {
    if (compressed instanceof RValue.Integers flag && flag.values().length == 1) {
      int kind = flag.values()[0];
      if (kind == 0 || kind == 1) {
        return kind == 1; // FALSE or TRUE (zlib); 2 and 3 are bzip2 and xz
      }
      throw new RFormatException("compression type " + kind + " (only zlib is supported)");
    }
    throw new RFormatException("the .rdx 'compressed' element is " + compressed);
  }

  /** The names of the objects in the database, in index order. */
  public List<String> names() {
    return List.copyOf(variables.keySet());
  }

  /**
   * Decodes the object called {@code name}.
   *
   * @throws RFormatException if there is no such object or its bytes are malformed
   */
  public RValue read(String name) throws RFormatException {
    int[] position = variables.get(name);
    if (position == null) {
      throw new RFormatException("no object '" + name + "' in the database; it has " + names());
    }
    int offset = position[0];
    int length = position[1];
    if (offset < 0 || length < 0 || (long) offset + length > data.length) {
      throw new RFormatException(
          "'" + name + "' lies at " + offset + "+" + length + ", past the .rdb's " + data.length);
    }
    if (!zlib) {
      return RSerialization.read(Arrays.copyOfRange(data, offset, offset + length));
    }
    if (length < 4) {
      throw new RFormatException("the entry of '" + name + "' is shorter than its length prefix");
    }
    int inflatedLength = ByteBuffer.wrap(data, offset, 4).getInt();
    return RSerialization.read(inflate(data, offset + 4, length - 4, inflatedLength, name));
  }

  private static byte[] inflate(byte[] data, int offset, int length, int expected, String name)
      throws RFormatException {
    if (expected < 0) {
      throw new RFormatException("'" + name + "' claims " + expected + " uncompressed bytes");
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(data, offset, length);
      byte[] out = new byte[expected];
      int filled = 0;
      while (filled < expected && !inflater.finished()) {
        int n = inflater.inflate(out, filled, expected - filled);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        filled += n;
      }
      if (filled != expected) {
        throw new RFormatException(
            "'" + name + "' inflates to " + filled + " bytes, not the " + expected + " announced");
      }
      return out;
    } catch (DataFormatException e) {
      throw new RFormatException("'" + name + "' is not a valid zlib stream: " + e.getMessage());
    } finally {
      inflater.end();
    }
  }

  private static byte[] maybeGunzip(byte[] bytes) throws IOException {
    boolean gzip = bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B;
    if (!gzip) {
      return bytes;
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }
}
