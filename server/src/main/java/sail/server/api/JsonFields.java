package sail.server.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of optional request fields; a wrong type is an error that names the field. */
final class JsonFields {
  private JsonFields() {}

  static String string(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw RequestValidator.invalid(field, "must be a string");
  }

  static Integer integer(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      if (Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
        throw RequestValidator.invalid(field, "is out of range");
      }
      return n.intValue();
    }
    throw RequestValidator.invalid(field, "must be an integer");
  }

  static Long longValue(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    throw RequestValidator.invalid(field, "must be an integer");
  }

  static Double number(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw RequestValidator.invalid(field, "must be a number");
  }

  static boolean bool(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw RequestValidator.invalid(field, "must be true or false");
  }

  /** A string or an array of strings (as OpenAI's {@code stop}). */
  static List<String> strings(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      return List.of(s);
    }
    if (v instanceof JsonArray array) {
      List<String> out = new ArrayList<>(array.size());
      for (Object item : array) {
        if (!(item instanceof String s)) {
          throw RequestValidator.invalid(field, "must be a string or an array of strings");
        }
        out.add(s);
      }
      return out;
    }
    throw RequestValidator.invalid(field, "must be a string or an array of strings");
  }
}
