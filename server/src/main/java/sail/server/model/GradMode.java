package sail.server.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Autograd recording is a per-thread switch in PyTorch and is ON in every new thread, so serving
 * code must switch it off or every forward pass would build a graph (stack-notes.md, "Threads").
 */
public final class GradMode {
  private GradMode() {}

  /** Turns autograd recording off for the calling thread; returns the previous setting. */
  public static boolean disable() {
    boolean previous = JniUtils.isGradMode();
    if (previous) {
      JniUtils.setGradMode(false);
    }
    return previous;
  }

  /** Restores a setting returned by {@link #disable()}. */
  public static void restore(boolean previous) {
    if (previous) {
      JniUtils.setGradMode(true);
    }
  }

  /** Whether the calling thread records autograd graphs. */
  public static boolean isEnabled() {
    return JniUtils.isGradMode();
  }

  /** Sets the number of intra-op threads used by operations started from the calling thread. */
  public static void setThreadsForThisThread(int threads) {
    JniUtils.setNumThreads(threads);
  }
}
