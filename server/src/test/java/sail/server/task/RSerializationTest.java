package sail.server.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RSerializationTest {

  @Test
  void readsCharacterVectorWithNaAndUtf8() throws Exception {
    byte[] bytes = RXdr.version3().strings(0, "EMMA", "", null, "Café “quoted”").bytes();

    RValue value = RSerialization.read(bytes);

    RValue.Strings strings = assertInstanceOf(RValue.Strings.class, value);
    assertEquals(Arrays.asList("EMMA", "", null, "Café “quoted”"), strings.values());
    assertEquals(List.of(), strings.names());
  }

  @Test
  void readsNamedListWhoseSecondNamesAttributeIsABackReference() throws Exception {
    // list(a = c(x = 1L, y = 2L), b = "z"): the symbol `names` is written once, then referenced.
    byte[] bytes =
        RXdr.version3()
            .i(19 | RXdr.HAS_ATTRIBUTES)
            .i(2)
            .i(13 | RXdr.HAS_ATTRIBUTES) // element a: INTSXP with names
            .i(2)
            .i(1)
            .i(2)
            .i(2 | RXdr.HAS_TAG)
            .symbol("names") // reference 1
            .strings(0, "x", "y")
            .nil()
            .strings(0, "z") // element b
            .i(2 | RXdr.HAS_TAG) // the list's own attributes
            .ref(1)
            .strings(0, "a", "b")
            .nil()
            .bytes();

    RValue.Generic list = assertInstanceOf(RValue.Generic.class, RSerialization.read(bytes));

    assertEquals(List.of("a", "b"), list.names());
    RValue.Integers a = assertInstanceOf(RValue.Integers.class, list.get("a"));
    assertArrayEquals(new int[] {1, 2}, a.values());
    assertEquals(List.of("x", "y"), a.names());
    assertEquals(List.of("z"), ((RValue.Strings) list.get("b")).values());
  }

  @Test
  void rejectsTruncatedAndForeignBytes() {
    byte[] whole = RXdr.version3().strings(0, "one", "two").bytes();
    byte[] truncated = Arrays.copyOf(whole, whole.length - 2);

    assertThrows(RFormatException.class, () -> RSerialization.read(truncated));
    assertThrows(RFormatException.class, () -> RSerialization.read("RDX3\n".getBytes()));
    // A length far beyond the bytes present must fail fast, not allocate.
    byte[] huge = RXdr.version3().i(16).i(Integer.MAX_VALUE).bytes();
    assertThrows(RFormatException.class, () -> RSerialization.read(huge));
  }

  @Test
  void readsSixNovelsFromAHandBuiltLazyLoadDatabase() throws Exception {
    List<String> objects =
        List.of(
            "emma",
            "mansfieldpark",
            "northangerabbey",
            "persuasion",
            "prideprejudice",
            "sensesensibility");
    ByteArrayOutputStream rdb = new ByteArrayOutputStream();
    List<int[]> positions = new ArrayList<>();
    for (String object : objects) {
      byte[] entry =
          RXdr.rdbEntry(
              RXdr.version3()
                  .strings(0, object.toUpperCase(), "", "\"Line one", null, "two.\"")
                  .bytes());
      positions.add(new int[] {rdb.size(), entry.length});
      rdb.write(entry);
    }
    // The index: list(variables = list(<name> = c(offset, length), ...), references = list(),
    // compressed = TRUE)
    RXdr rdx = RXdr.version3().i(19 | RXdr.HAS_ATTRIBUTES).i(3);
    rdx.i(19 | RXdr.HAS_ATTRIBUTES).i(objects.size());
    for (int[] position : positions) {
      rdx.i(13).i(2).i(position[0]).i(position[1]);
    }
    rdx.i(2 | RXdr.HAS_TAG).symbol("names").strings(0, objects.toArray(String[]::new)).nil();
    rdx.i(19).i(0); // references
    rdx.i(10).i(1).i(1); // compressed = TRUE
    rdx.i(2 | RXdr.HAS_TAG).ref(1).strings(0, "variables", "references", "compressed").nil();

    RLazyLoadDatabase database = RLazyLoadDatabase.of(RXdr.gzip(rdx.bytes()), rdb.toByteArray());
    List<AustenCorpus.Book> books = AustenCorpus.load(database);

    assertEquals(objects, database.names());
    assertEquals("Sense & Sensibility", books.get(0).title());
    assertEquals(List.of("SENSESENSIBILITY", "", "\"Line one", "", "two.\""), books.get(0).lines());
    assertEquals(List.of("SENSESENSIBILITY", "\"Line one", "two.\""), books.get(0).paragraphs());
    assertEquals("Emma", books.get(3).title());
    assertThrows(RFormatException.class, () -> database.read("austen_books"));
  }
}
