package sail.server.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Translates the configured device name into a DJL device. */
public final class Devices {
  private Devices() {}

  /**
   * @param name {@code cpu}, {@code gpu} (first GPU; fails if none) or {@code auto} (a GPU when the
   *     engine sees one, else the CPU)
   */
  public static Device parse(String name) {
    return switch (name) {
      case "cpu" -> Device.cpu();
      case "auto" -> Engine.getEngine("PyTorch").defaultDevice();
      case "gpu" -> {
        if (Engine.getEngine("PyTorch").getGpuCount() == 0) {
          throw new IllegalArgumentException(
              "device 'gpu' requested but the PyTorch engine sees no GPU; use 'cpu' or 'auto'");
        }
        yield Device.gpu();
      }
      default ->
          throw new IllegalArgumentException(
              "unknown device '" + name + "'; expected cpu, gpu or auto");
    };
  }
}
