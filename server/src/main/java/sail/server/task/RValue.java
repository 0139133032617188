package sail.server.task;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A value decoded from R's serialization format, limited to the shapes that R data packages use for
 * plain data: NULL, symbols, atomic vectors, generic vectors (lists) and pairlists.
 *
 * <p>Attributes (for example {@code names}) are kept in insertion order as R wrote them.
 */
public sealed interface RValue
    permits RValue.Null,
        RValue.Symbol,
        RValue.Strings,
        RValue.Integers,
        RValue.Doubles,
        RValue.Generic,
        RValue.PairList {

  /** The attributes of this value; empty when it has none. */
  default Map<String, RValue> attributes() {
    return Map.of();
  }

  /**
   * The {@code names} attribute as strings, or an empty list when the value has no names.
   *
   * @throws RFormatException if {@code names} is present but is not a character vector
   */
  default List<String> names() throws RFormatException {
    RValue names = attributes().get("names");
    if (names == null) {
      return List.of();
    }
    if (names instanceof Strings strings) {
      return strings.values();
    }
    throw new RFormatException("the names attribute is a " + names.getClass().getSimpleName());
  }

  private static Map<String, RValue> ordered(Map<String, RValue> attributes) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
  }

  /** R's {@code NULL}. */
  record Null() implements RValue {
    public static final Null INSTANCE = new Null();
  }

  /** A symbol (an R name), as it appears in pairlist tags. */
  record Symbol(String name) implements RValue {}

  /**
   * A character vector (STRSXP).
   *
   * @param values the strings; an element is {@code null} where R has {@code NA_character_}
   */
  record Strings(List<String> values, Map<String, RValue> attributes) implements RValue {
    public Strings {
      values = Collections.unmodifiableList(Arrays.asList(values.toArray(String[]::new)));
      attributes = ordered(attributes);
    }
  }

  /**
   * An integer or logical vector (INTSXP, LGLSXP); R's {@code NA} is {@link Integer#MIN_VALUE}.
   *
   * @param logical whether R stored it as a logical vector (0 = FALSE, 1 = TRUE)
   */
  record Integers(int[] values, boolean logical, Map<String, RValue> attributes) implements RValue {
    public Integers {
      values = values.clone();
      attributes = ordered(attributes);
    }

    @Override
    public int[] values() {
      return values.clone();
    }
  }

  /** A double vector (REALSXP). */
  record Doubles(double[] values, Map<String, RValue> attributes) implements RValue {
    public Doubles {
      values = values.clone();
      attributes = ordered(attributes);
    }

    @Override
    public double[] values() {
      return values.clone();
    }
  }

  /** A generic vector (VECSXP, an R list) or an expression vector. */
  record Generic(List<RValue> elements, Map<String, RValue> attributes) implements RValue {
    public Generic {
      elements = List.copyOf(elements);
      attributes = ordered(attributes);
    }

    /**
     * The element called {@code name}.
     *
     * @throws RFormatException if no element has that name
     */
    public RValue get(String name) throws RFormatException {
      int index = names().indexOf(name);
      if (index < 0) {
        throw new RFormatException("no element named '" + name + "' among " + names());
      }
      return elements.get(index);
    }
  }

  /**
   * A pairlist (LISTSXP): R's linked list of optionally tagged values, used for attributes.
   *
   * @param entries the cells in order; a cell's tag is {@code null} when it has none
   */
  record PairList(List<Entry> entries) implements RValue {
    public PairList {
      entries = List.copyOf(entries);
    }

    /** One cell of a pairlist. */
    public record Entry(String tag, RValue value) {}
  }
}
