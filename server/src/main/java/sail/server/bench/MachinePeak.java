package sail.server.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import sail.server.model.GradMode;

/** Measures the fp32 matrix-multiply peak of this machine through the same engine as the model. */
public final class MachinePeak {
  private MachinePeak() {}

  /**
   * Best of several timed square matmuls ({@code size}³ multiply-adds each).
   *
   * @return GFLOP/s, counting a multiply-add as 2 FLOPs
   */
  public static double gemmGflops(NDManager manager, int size, int repeats) {
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      NDArray a = manager.randomNormal(new Shape(size, size));
      NDArray b = manager.randomNormal(new Shape(size, size));
      a.matMul(b).close(); // warm-up
      double best = 0;
      for (int r = 0; r < repeats; r++) {
        long start = System.nanoTime();
        NDArray c = a.matMul(b);
        c.getFloat(0, 0); // forces completion
        double seconds = (System.nanoTime() - start) / 1e9;
        c.close();
        best = Math.max(best, 2.0 * size * size * size / seconds / 1e9);
      }
      return best;
    } finally {
      GradMode.restore(grad);
    }
  }

  /** Peak resident set size of this process in MB (VmHWM), or -1 when unavailable. */
  public static double peakRssMb() {
    try {
      for (String line :
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
