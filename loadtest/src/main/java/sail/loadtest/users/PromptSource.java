package sail.loadtest.users;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Where virtual users take their prompts from; shared by all users of a run, thread-safe. */
@FunctionalInterface
public interface PromptSource {
  String next();

  /** Hands out {@code prompts} in order, starting over after the last one. */
  static PromptSource cycle(List<String> prompts) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("prompt list is empty");
    }
    List<String> copy = List.copyOf(prompts);
    AtomicLong position = new AtomicLong();
    return () -> copy.get((int) (position.getAndIncrement() % copy.size()));
  }
}
