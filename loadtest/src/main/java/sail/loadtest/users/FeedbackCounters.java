package sail.loadtest.users;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;

/** Feedback the simulated users sent during a run, and how the server answered; thread-safe. */
public final class FeedbackCounters {
  final AtomicLong thumbsUp = new AtomicLong();
  final AtomicLong thumbsDown = new AtomicLong();
  final AtomicLong choices = new AtomicLong();
  final AtomicLong acknowledged = new AtomicLong();
  final AtomicLong failed = new AtomicLong();

  public long sent() {
    return thumbsUp.get() + thumbsDown.get() + choices.get();
  }

  public long failed() {
    return failed.get();
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("thumbs_up", thumbsUp.get())
        .put("thumbs_down", thumbsDown.get())
        .put("pairwise_choices", choices.get())
        .put("acknowledged", acknowledged.get())
        .put("failed", failed.get());
  }
}
