package sail.server.training;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import sail.server.data.Turn;
import sail.server.training.mixture.LabelStream;

/**
 * One of the traffic log's change streams (rows with {@code seq > after}, in seq order) as a {@link
 * LabelStream}: each row is converted to a label, and rows that convert to nothing (multi-turn
 * prompts, which the trainer does not lay out) are read past, so that a reader never stalls on
 * them.
 *
 * @param <R> the logged row
 * @param <T> the label
 */
final class LogLabels<R, T> implements LabelStream<T> {
  private final BiFunction<Long, Integer, List<R>> stream;
  private final ToLongFunction<R> seqOf;
  private final Function<R, T> label;

  /**
   * @param stream reads at most {@code limit} rows with seq greater than the given one
   * @param seqOf a row's seq
   * @param label a row's label, or null to skip it
   */
  LogLabels(
      BiFunction<Long, Integer, List<R>> stream, ToLongFunction<R> seqOf, Function<R, T> label) {
    this.stream = stream;
    this.seqOf = seqOf;
    this.label = label;
  }

  @Override
  public List<T> after(long afterId, int limit) {
    List<T> labels = new ArrayList<>();
    long cursor = afterId;
    while (labels.isEmpty()) {
      List<R> rows = stream.apply(cursor, limit);
      if (rows.isEmpty()) {
        break;
      }
      for (R row : rows) {
        cursor = seqOf.applyAsLong(row);
        T converted = label.apply(row);
        if (converted != null) {
          labels.add(converted);
        }
      }
    }
    return labels;
  }

  /** The user message of a single-turn prompt, or null for any other prompt. */
  static String singleUserTurn(List<Turn> prompt) {
    return prompt.size() == 1 && "user".equalsIgnoreCase(prompt.get(0).role())
        ? prompt.get(0).content()
        : null;
  }
}
