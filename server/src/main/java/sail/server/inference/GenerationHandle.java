package sail.server.inference;

/** Lets the caller cancel a submitted sequence; its batch slot is freed before the next step. */
public interface GenerationHandle {
  void cancel();
}
