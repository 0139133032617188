package sail.server.task;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** Writes R XDR serialization by hand, so tests can build the bytes R would write. */
final class RXdr {
  static final int HAS_ATTRIBUTES = 1 << 9;
  static final int HAS_TAG = 1 << 10;
  static final int ASCII = 1 << 6 << 12; // CHARSXP levels sit above bit 12
  static final int UTF8 = 1 << 3 << 12;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final DataOutputStream out = new DataOutputStream(bytes);

  /** Starts a version-3 stream with native encoding UTF-8. */
  static RXdr version3() {
    RXdr xdr = new RXdr();
    xdr.raw('X').raw('\n').i(3).i(0x040201).i(0x030500).i(5);
    xdr.raw('U').raw('T').raw('F').raw('-').raw('8');
    return xdr;
  }

  RXdr raw(int b) {
    try {
      out.write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  RXdr i(int value) {
    try {
      out.writeInt(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** A CHARSXP; {@code null} writes NA. */
  RXdr chars(String s) {
    if (s == null) {
      return i(9).i(-1);
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    boolean ascii = utf8.length == s.length();
    i(9 | (ascii ? ASCII : UTF8)).i(utf8.length);
    for (byte b : utf8) {
      raw(b);
    }
    return this;
  }

  /** A STRSXP header with {@code flags} extra bits; the elements follow via {@link #chars}. */
  RXdr strings(int extraFlags, String... values) {
    i(16 | extraFlags).i(values.length);
    for (String value : values) {
      chars(value);
    }
    return this;
  }

  /** A symbol written out in full (type 1 then its name). */
  RXdr symbol(String name) {
    return i(1).chars(name);
  }

  /** A back-reference to the {@code index}-th (1-based) symbol written. */
  RXdr ref(int index) {
    return i((index << 8) | 255);
  }

  RXdr nil() {
    return i(254);
  }

  byte[] bytes() {
    return bytes.toByteArray();
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(buffer)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  /** A lazy-load database entry: 4-byte big-endian length, then the zlib stream. */
  static byte[] rdbEntry(byte[] data) {
    Deflater deflater = new Deflater();
    deflater.setInput(data);
    deflater.finish();
    byte[] chunk = new byte[data.length + 64];
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    buffer.write(data.length >>> 24);
    buffer.write(data.length >>> 16);
    buffer.write(data.length >>> 8);
    buffer.write(data.length);
    while (!deflater.finished()) {
      int n = deflater.deflate(chunk);
      buffer.write(chunk, 0, n);
    }
    deflater.end();
    return buffer.toByteArray();
  }
}
