package sail.server.task;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes R's XDR serialization format (what {@code saveRDS} and lazy-load databases write), for
 * plain data only.
 *
 * <p>The format, as described in R Internals §1.8 ("Serialization formats") and R's {@code
 * serialize.c}: the two bytes {@code "X\n"}, three big-endian ints (format version, writer R
 * version, minimal reader version), for version 3 the native encoding as a length-prefixed string,
 * then one item. An item starts with an int of flags: bits 0–7 the SEXP type, bit 8 "is an object"
 * (not needed here), bit 9 "has attributes", bit 10 "has a tag", bits 12–27 the {@code gp} levels
 * (for strings, the encoding). Vectors follow with a length and their elements; a string element is
 * a CHARSXP whose length −1 stands for {@code NA}. Pairlist cells carry attributes, tag, CAR, then
 * the CDR as the next item. Symbols are written once and referred back to with REFSXP items.
 *
 * <p>Closures, environments, bytecode and ALTREP compact vectors are rejected with {@link
 * RFormatException}; data packages that store character vectors and lists never need them.
 */
public final class RSerialization {
  // SEXP types (Rinternals.h) and the special pseudo-types of serialize.c.
  private static final int SYMSXP = 1;
  private static final int LISTSXP = 2;
  private static final int CHARSXP = 9;
  private static final int LGLSXP = 10;
  private static final int INTSXP = 13;
  private static final int REALSXP = 14;
  private static final int STRSXP = 16;
  private static final int VECSXP = 19;
  private static final int EXPRSXP = 20;
  private static final int ALTREP_SXP = 238;
  private static final int NILVALUE_SXP = 254;
  private static final int REFSXP = 255;

  // Encoding bits of a CHARSXP's levels (Defn.h).
  private static final int BYTES_MASK = 1 << 1;
  private static final int LATIN1_MASK = 1 << 2;
  private static final int UTF8_MASK = 1 << 3;
  private static final int ASCII_MASK = 1 << 6;

  private static final int HAS_ATTRIBUTES = 1 << 9;
  private static final int HAS_TAG = 1 << 10;

  private final ByteBuffer in;
  private final List<RValue> references = new ArrayList<>();
  private Charset nativeCharset = StandardCharsets.UTF_8;

  private RSerialization(byte[] bytes) {
    this.in = ByteBuffer.wrap(bytes); // big-endian, as XDR is
  }

  /**
   * Decodes one serialized R object.
   *
   * @param bytes the uncompressed serialization, starting with {@code "X\n"}
   * @throws RFormatException if the bytes are not XDR serialization, are truncated, or hold a type
   *     this reader does not model
   */
  public static RValue read(byte[] bytes) throws RFormatException {
    RSerialization reader = new RSerialization(bytes);
    try {
      reader.readHeader();
      return reader.readItem();
    } catch (BufferUnderflowException e) {
      throw new RFormatException("the serialized object ends early (" + bytes.length + " bytes)");
    }
  }

  private void readHeader() throws RFormatException {
    if (in.remaining() < 2 || in.get() != 'X' || in.get() != '\n') {
      throw new RFormatException("not R's XDR serialization: it must start with \"X\\n\"");
    }
    int version = in.getInt();
    in.getInt(); // R version that wrote it
    in.getInt(); // oldest R version that can read it
    if (version == 3) {
      String encoding = new String(readBytes(readLength()), StandardCharsets.US_ASCII);
      nativeCharset =
          encoding.equalsIgnoreCase("latin1") || encoding.equalsIgnoreCase("ISO-8859-1")
              ? StandardCharsets.ISO_8859_1
              : StandardCharsets.UTF_8;
    } else if (version != 2) {
      throw new RFormatException("serialization format version " + version + " (want 2 or 3)");
    }
  }

  private RValue readItem() throws RFormatException {
    int flags = in.getInt();
    int type = flags & 0xFF;
    switch (type) {
      case NILVALUE_SXP:
        return RValue.Null.INSTANCE;
      case REFSXP:
        return readReference(flags);
      case SYMSXP:
        {
          RValue.Symbol symbol = new RValue.Symbol(readCharsxp());
          references.add(symbol);
          return symbol;
        }
      case LISTSXP:
        return readPairList(flags);
      case LGLSXP:
      case INTSXP:
        {
          int[] values = new int[checkedLength(4)];
          for (int i = 0; i < values.length; i++) {
            values[i] = in.getInt();
          }
          return new RValue.Integers(values, type == LGLSXP, readAttributes(flags));
        }
      case REALSXP:
        {
          double[] values = new double[checkedLength(8)];
          for (int i = 0; i < values.length; i++) {
            values[i] = in.getDouble();
          }
          return new RValue.Doubles(values, readAttributes(flags));
        }
      case STRSXP:
        {
          // Each element is a CHARSXP of at least flags + length: 8 bytes.
          String[] values = new String[checkedLength(8)];
          for (int i = 0; i < values.length; i++) {
            values[i] = readCharsxp();
          }
          return new RValue.Strings(Arrays.asList(values), readAttributes(flags));
        }
      case VECSXP:
      case EXPRSXP:
        {
          int length = checkedLength(4);
          List<RValue> elements = new ArrayList<>(length);
          for (int i = 0; i < length; i++) {
            elements.add(readItem());
          }
          return new RValue.Generic(elements, readAttributes(flags));
        }
      case ALTREP_SXP:
        throw new RFormatException(
            "an ALTREP (compact) vector; re-save the object with R's default serialization");
      default:
        throw new RFormatException(
            "unsupported R type "
                + type
                + " (flags 0x"
                + Integer.toHexString(flags)
                + ") at byte "
                + (in.position() - 4));
    }
  }

  /** A back-reference: the index (1-based) sits in the upper bits, or in the next int if 0. */
  private RValue readReference(int flags) throws RFormatException {
    int index = flags >>> 8;
    if (index == 0) {
      index = in.getInt();
    }
    if (index < 1 || index > references.size()) {
      throw new RFormatException(
          "reference " + index + " but only " + references.size() + " objects were read");
    }
    return references.get(index - 1);
  }

  /** Reads pairlist cells iteratively: each cell's CDR is the next cell's flags, or NULL. */
  private RValue.PairList readPairList(int flags) throws RFormatException {
    List<RValue.PairList.Entry> entries = new ArrayList<>();
    int cell = flags;
    while (true) {
      if ((cell & HAS_ATTRIBUTES) != 0) {
        readItem(); // attributes of the cell itself: never meaningful for data
      }
      String tag = null;
      if ((cell & HAS_TAG) != 0) {
        RValue tagValue = readItem();
        if (!(tagValue instanceof RValue.Symbol symbol)) {
          throw new RFormatException("a pairlist tag that is not a symbol: " + tagValue);
        }
        tag = symbol.name();
      }
      entries.add(new RValue.PairList.Entry(tag, readItem()));
      cell = in.getInt();
      int type = cell & 0xFF;
      if (type == NILVALUE_SXP) {
        return new RValue.PairList(entries);
      }
      if (type != LISTSXP) {
        throw new RFormatException("a pairlist whose tail has type " + type);
      }
    }
  }

  /** The attribute pairlist that follows a vector whose flags say it has one. */
  private Map<String, RValue> readAttributes(int flags) throws RFormatException {
    if ((flags & HAS_ATTRIBUTES) == 0) {
      return Map.of();
    }
    RValue value = readItem();
    if (!(value instanceof RValue.PairList list)) {
      throw new RFormatException("attributes that are not a pairlist: " + value);
    }
    Map<String, RValue> attributes = new LinkedHashMap<>();
    for (RValue.PairList.Entry entry : list.entries()) {
      if (entry.tag() == null) {
        throw new RFormatException("an attribute without a name");
      }
      attributes.put(entry.tag(), entry.value());
    }
    return attributes;
  }

  /** One CHARSXP item: flags, length (−1 for NA), then the bytes in the encoding its flags name. */
  private String readCharsxp() throws RFormatException {
    int flags = in.getInt();
    if ((flags & 0xFF) != CHARSXP) {
      throw new RFormatException(
          "expected a string (type 9) but found type "
              + (flags & 0xFF)
              + " at byte "
              + (in.position() - 4));
    }
    int length = in.getInt();
    if (length == -1) {
      return null;
    }
    if (length < 0) {
      throw new RFormatException("a string of length " + length);
    }
    int levels = flags >>> 12;
    Charset charset =
        (levels & (LATIN1_MASK | BYTES_MASK)) != 0
            ? StandardCharsets.ISO_8859_1
            : ((levels & (UTF8_MASK | ASCII_MASK)) != 0 ? StandardCharsets.UTF_8 : nativeCharset);
    return new String(readBytes(length), charset);
  }

  /** A vector length, including R's long form (−1 then two ints); checked against what is left. */
  private int checkedLength(int minBytesPerElement) throws RFormatException {
    int length = readLength();
    if ((long) length * minBytesPerElement > in.remaining()) {
      throw new RFormatException(
          "a vector of " + length + " elements but only " + in.remaining() + " bytes are left");
    }
    return length;
  }

  private int readLength() throws RFormatException {
    int length = in.getInt();
    if (length == -1) {
      long upper = Integer.toUnsignedLong(in.getInt());
      long lower = Integer.toUnsignedLong(in.getInt());
      long longLength = (upper << 32) | lower;
      throw new RFormatException("a long vector of " + longLength + " elements is too large here");
    }
    if (length < 0) {
      throw new RFormatException("a negative vector length " + length);
    }
    return length;
  }

  private byte[] readBytes(int length) throws RFormatException {
    if (length > in.remaining()) {
      throw new RFormatException(length + " bytes wanted but only " + in.remaining() + " are left");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }
}
