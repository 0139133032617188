package sail.server.data;

/** A thumbs-up or thumbs-down on one reply; stored as +1 / -1. */
public enum Rating {
  UP(1),
  DOWN(-1);

  private final int value;

  Rating(int value) {
    this.value = value;
  }

  /** +1 for up, -1 for down: the reward sign the trainer uses. */
  public int value() {
    return value;
  }

  public static Rating ofValue(int value) {
    return value > 0 ? UP : DOWN;
  }
}
