package sail.loadtest.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Renders a load report as one self-contained HTML file: a summary table and line plots over the
 * report's windows (throughput, latency p50/p99, errors, mean hidden score, model version) drawn as
 * inline SVG, so the file opens anywhere without scripts or network.
 */
public final class HtmlReport {
  private static final int WIDTH = 640;
  private static final int HEIGHT = 180;
  private static final int PAD = 36;

  private HtmlReport() {}

  /** The page for {@code report} (the JSON of {@code ./sail loadtest} or a demo phase). */
  public static String render(String title, JsonObject report) {
    JsonArray windows = report.getJsonArray("windows", new JsonArray());
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>")
        .append(escape(title))
        .append("</title><style>body{font-family:sans-serif;margin:2em;max-width:760px}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;")
        .append("text-align:right}th{text-align:left}svg{display:block;margin:1em 0}")
        .append("h2{font-size:1.1em;margin-top:1.5em}</style></head><body>\n<h1>")
        .append(escape(title))
        .append("</h1>\n<table>");
    for (String key :
        List.of(
            "target",
            "mode",
            "preference",
            "concurrency",
            "rate_rps",
            "duration_s",
            "requests",
            "errors",
            "overload_refusals",
            "throughput_rps",
            "tokens_per_s")) {
      if (report.containsKey(key)) {
        html.append("<tr><th>")
            .append(escape(key))
            .append("</th><td>")
            .append(escape(format(report.getValue(key))))
            .append("</td></tr>");
      }
    }
    for (String nested : List.of("latency_ms", "ttft_ms", "feedback")) {
      if (report.getValue(nested) instanceof JsonObject object) {
        html.append("<tr><th>")
            .append(escape(nested))
            .append("</th><td>")
            .append(escape(summary(object)))
            .append("</td></tr>");
      }
    }
    html.append("</table>\n");
    plot(html, "Throughput (replies/s)", windows, w -> w.getDouble("throughput_rps"));
    plot(html, "Latency p50 (ms)", windows, w -> w.getJsonObject("latency_ms").getDouble("p50"));
    plot(html, "Latency p99 (ms)", windows, w -> w.getJsonObject("latency_ms").getDouble("p99"));
    plot(html, "Errors", windows, w -> w.getLong("errors", 0L).doubleValue());
    plot(html, "Mean hidden score of served replies", windows, w -> w.getDouble("mean_score"));
    plot(
        html,
        "Model version served",
        windows,
        w -> w.getLong("model_version") == null ? null : w.getLong("model_version").doubleValue());
    return html.append("</body></html>\n").toString();
  }

  private static void plot(
      StringBuilder html, String title, JsonArray windows, Function<JsonObject, Double> value) {
    List<double[]> points = new ArrayList<>();
    for (int i = 0; i < windows.size(); i++) {
      JsonObject w = windows.getJsonObject(i);
      Double y = value.apply(w);
      if (y != null && Double.isFinite(y)) {
        points.add(new double[] {w.getDouble("t_s", 0.0), y});
      }
    }
    html.append("<h2>").append(escape(title)).append("</h2>\n");
    if (points.isEmpty()) {
      html.append("<p>no data</p>\n");
      return;
    }
    double maxX = points.stream().mapToDouble(p -> p[0]).max().orElse(1);
    double minY = Math.min(0, points.stream().mapToDouble(p -> p[1]).min().orElse(0));
    double maxY = points.stream().mapToDouble(p -> p[1]).max().orElse(1);
    if (maxY <= minY) {
      maxY = minY + 1;
    }
    maxX = Math.max(maxX, 1e-9);
    StringBuilder path = new StringBuilder();
    for (double[] p : points) {
      double x = PAD + (WIDTH - 2 * PAD) * p[0] / maxX;
      double y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (p[1] - minY) / (maxY - minY);
      path.append(path.length() == 0 ? "M" : " L").append(fmt(x)).append(',').append(fmt(y));
    }
    html.append(
            String.format(
                Locale.ROOT,
                "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">",
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT,
                escape(title)))
        .append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
                    + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
                PAD,
                HEIGHT - PAD,
                WIDTH - PAD,
                HEIGHT - PAD,
                PAD,
                PAD,
                PAD,
                HEIGHT - PAD))
        .append(label(4, PAD + 4, format(maxY)))
        .append(label(4, HEIGHT - PAD, format(minY)))
        .append(label(WIDTH - PAD - 30, HEIGHT - 8, format(maxX) + " s"))
        .append("<path fill=\"none\" stroke=\"#2a6fb0\" stroke-width=\"2\" d=\"")
        .append(path)
        .append("\"/></svg>\n");
  }

  private static String label(int x, int y, String text) {
    return String.format(
        Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", x, y, escape(text));
  }

  private static String summary(JsonObject object) {
    StringBuilder sb = new StringBuilder();
    object.forEach(
        e ->
            sb.append(sb.length() == 0 ? "" : ", ")
                .append(e.getKey())
                .append(' ')
                .append(format(e.getValue())));
    return sb.toString();
  }

  private static String format(Object value) {
    if (value instanceof Double d) {
      return String.format(Locale.ROOT, "%.3g", d);
    }
    return String.valueOf(value);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
