package sail.server.inference;

import java.util.List;

/**
 * Watches streamed text for stop sequences. Text that could still turn out to be the beginning of a
 * stop sequence is held back, so a stop sequence is never streamed to the caller.
 */
final class StopMatcher {
  private final List<String> stops;
  private final int holdBack;
  private final StringBuilder text = new StringBuilder();
  private int emitted;
  private boolean matched;

  StopMatcher(List<String> stops) {
    this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    this.holdBack = this.stops.stream().mapToInt(String::length).max().orElse(1) - 1;
  }

  /** Appends new text; returns the part that can safely be emitted now. */
  String push(String delta) {
    if (matched || delta.isEmpty()) {
      return "";
    }
    text.append(delta);
    for (String stop : stops) {
      int at = text.indexOf(stop, Math.max(0, emitted - stop.length() + 1));
      if (at >= 0) {
        matched = true;
        text.setLength(at);
        return flushAll();
      }
    }
    int safe = Math.max(emitted, text.length() - holdBack);
    String out = text.substring(emitted, safe);
    emitted = safe;
    return out;
  }

  /** Emits whatever was held back (the sequence ended without a match). */
  String finish() {
    return flushAll();
  }

  boolean matched() {
    return matched;
  }

  /** Final text (without a matched stop sequence). */
  String text() {
    return text.toString();
  }

  private String flushAll() {
    String out = emitted <= text.length() ? text.substring(emitted) : "";
    emitted = text.length();
    return out;
  }
}
