package sail.server.data;

import java.util.List;

/** The sampling settings a generation was produced with, stored beside it as JSON. */
public record Sampling(
    double temperature, double topP, int topK, int maxTokens, List<String> stop, long seed) {
  public Sampling {
    stop = List.copyOf(stop);
  }
}
