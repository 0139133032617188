package sail.loadtest.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A scrape of a Prometheus text endpoint, reduced to one number per metric name: the sum over all
 * label sets (enough for the server's counters and timer sums).
 */
public final class PrometheusText {
  private final Map<String, Double> sums;

  private PrometheusText(Map<String, Double> sums) {
    this.sums = sums;
  }

  /** Parses the text exposition format; comment lines and unparsable values are skipped. */
  public static PrometheusText parse(String text) {
    Map<String, Double> sums = new HashMap<>();
    for (String line : text.split("\n")) {
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int labels = line.indexOf('{');
      int space = labels >= 0 ? line.indexOf(' ', line.lastIndexOf('}')) : line.indexOf(' ');
      if (space < 0) {
        continue;
      }
      String name = line.substring(0, labels >= 0 ? labels : space);
      String[] rest = line.substring(space + 1).strip().split("\\s+");
      try {
        sums.merge(name, Double.parseDouble(rest[0]), Double::sum);
      } catch (NumberFormatException e) {
        // NaN-like or malformed sample: not one the benchmark reads
      }
    }
    return new PrometheusText(sums);
  }

  /** GETs {@code http://host:port/metrics} (no TLS, no key) and parses it. */
  public static PrometheusText scrape(HttpClient http, String host, int port)
      throws IOException, InterruptedException {
    return scrape(http, URI.create("http://" + host + ":" + port + "/metrics"), null);
  }

  /**
   * GETs {@code metrics} and parses it.
   *
   * @param authorization the {@code authorization} header (an admin key: the server's metrics are
   *     admin-only when keys are configured), or null
   */
  public static PrometheusText scrape(HttpClient http, URI metrics, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      request.header("authorization", authorization);
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "GET "
              + metrics
              + " answered "
              + response.statusCode()
              + (response.statusCode() == 401 || response.statusCode() == 403
                  ? " (with keys configured, the benchmark needs an admin key: --api-key)"
                  : ""));
    }
    return parse(response.body());
  }

  /** Whether the scrape had a sample of {@code name}. */
  public boolean has(String name) {
    return sums.containsKey(name);
  }

  /** The sum of {@code name} over its label sets; 0 when absent. */
  public double value(String name) {
    return sums.getOrDefault(name, 0.0);
  }

  /** {@code value(name)} here minus in {@code earlier}. */
  public double delta(PrometheusText earlier, String name) {
    return value(name) - earlier.value(name);
  }
}
