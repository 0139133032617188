package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import sail.server.RunningServer;
import sail.server.data.GenerationRecord;
import sail.server.data.PreferencePair;
import sail.server.data.RatedGeneration;
import sail.server.data.Rating;
import sail.server.testing.LocalHttp;
import sail.server.testing.TinyModelServer;

/**
 * The chat page and the dashboard in a real headless Chromium, against the real server on a tiny
 * model that trains while it serves: a streamed reply, a 👍 that lands in the traffic log, a
 * comparison whose pick lands there as a preference, and the dashboard filling from the trainer.
 *
 * <p>Browser tests are skipped, with a message, only when no chromium or chromedriver binary is
 * found (Debian: {@code apt-get install -y chromium chromium-driver}; {@code .ci/run} installs
 * them). {@code SAIL_CHROMIUM} and {@code SAIL_CHROMEDRIVER} name other binaries.
 */
class WebBrowserTest {
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dir;
  static RunningServer server;
  static LocalHttp http;
  static WebDriver browser;
  static String skipReason;

  @BeforeAll
  static void start() throws Exception {
    server = TinyModelServer.start(dir, TinyModelServer.trainingKeys(dir));
    http = new LocalHttp(server.port());
    Optional<Path> chromium =
        binary("SAIL_CHROMIUM", "chromium", "chromium-browser", "google-chrome");
    Optional<Path> driver = binary("SAIL_CHROMEDRIVER", "chromedriver");
    if (chromium.isEmpty() || driver.isEmpty()) {
      skipReason =
          (chromium.isEmpty() ? "no chromium binary (SAIL_CHROMIUM, else PATH)" : "")
              + (chromium.isEmpty() && driver.isEmpty() ? " and " : "")
              + (driver.isEmpty() ? "no chromedriver binary (SAIL_CHROMEDRIVER, else PATH)" : "")
              + "; install them with apt-get install -y chromium chromium-driver";
      return;
    }
    ChromeOptions options = new ChromeOptions();
    // both paths given explicitly, so Selenium never tries to download a browser or driver
    options.setBinary(chromium.get().toFile());
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driver.get().toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  /** The binary named by {@code envVariable}, else the first of {@code names} on the PATH. */
  static Optional<Path> binary(String envVariable, String... names) {
    String configured = System.getenv(envVariable);
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured);
      return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
    for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : names) {
        Path path = Path.of(folder, name);
        if (!folder.isEmpty() && Files.isExecutable(path)) {
          return Optional.of(path);
        }
      }
    }
    return Optional.empty();
  }

  static void assumeBrowser() {
    Assumptions.assumeTrue(browser != null, () -> "browser test skipped: " + skipReason);
  }

  static WebElement waitFor(String css) {
    return new WebDriverWait(browser, WAIT)
        .until(d -> d.findElements(By.cssSelector(css)).stream().findFirst().orElse(null));
  }

  static Object script(String code, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(code, args);
  }

  /** Keeps a picture of the page under target/ for a person to look at. */
  static void screenshot(String name) throws Exception {
    Path folder = Path.of("target", "browser-screenshots");
    Files.createDirectories(folder);
    byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
    Files.write(folder.resolve(name + ".png"), png);
  }

  /** JavaScript errors and failed loads the page logged since the last call. */
  static List<String> browserErrors() {
    List<String> errors = new ArrayList<>();
    for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
      if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
        errors.add(entry.getMessage());
      }
    }
    return errors;
  }

  /**
   * Types {@code prompt} into the chat page and sends it; returns the new turn's replies once the
   * turn is over (its stream ended and its buttons are in place: the page takes no new prompt
   * before). A failed turn, or one still unfinished after {@link #WAIT}, fails the test with what
   * the page shows.
   */
  static List<WebElement> send(String prompt, int candidates) {
    int turns = browser.findElements(By.cssSelector(".turn")).size();
    WebElement input = browser.findElement(By.id("prompt"));
    input.sendKeys(prompt);
    browser.findElement(By.id("send")).click();
    WebElement turn =
        new WebDriverWait(browser, WAIT)
            .withMessage(WebBrowserTest::pageState)
            .until(
                d -> {
                  List<WebElement> all = d.findElements(By.cssSelector(".turn"));
                  if (all.size() <= turns) {
                    return null;
                  }
                  WebElement last = all.get(all.size() - 1);
                  String state = last.getAttribute("data-state");
                  if ("error".equals(state) || "stopped".equals(state)) {
                    // not a wait's timeout: the turn is over, without replies to check
                    throw new AssertionError("the turn ended " + state + ": " + pageState());
                  }
                  return "done".equals(state) ? last : null;
                });
    List<WebElement> replies = turn.findElements(By.cssSelector(".reply[data-state=done]"));
    // the message only on failure: reading the browser log empties it for the tests' own check
    assertEquals(candidates, replies.size(), WebBrowserTest::pageState);
    return replies;
  }

  /** What the chat page shows of its last turn, and its error line, for a failure message. */
  static String pageState() {
    return String.valueOf(
            script(
                "const turns = document.querySelectorAll('.turn');"
                    + "const last = turns[turns.length - 1];"
                    + "const replies = last ? Array.from(last.querySelectorAll('.reply')) : [];"
                    + "return JSON.stringify({turns: turns.length, state: last && last.dataset.state,"
                    + " prompt: document.getElementById('prompt').value,"
                    + " replies: replies.map(r => ({state: r.dataset.state, chunks: r.dataset.chunks,"
                    + " meta: r.querySelector('.meta').textContent,"
                    + " text: r.querySelector('.text').textContent})),"
                    + " error: document.getElementById('error').textContent});"))
        + "; browser log: "
        + browserErrors();
  }

  static String textOf(WebElement reply) {
    // textContent, not getText(): the exact characters, whitespace included
    return (String) script("return arguments[0].querySelector('.text').textContent;", reply);
  }

  @Test
  void chatStreamsAReplyAndItsThumbsUpReachesTheTrafficLog() throws Exception {
    assumeBrowser();
    browser.get(http.url("/"));
    browserErrors();
    // a tiny random model may end a reply after a token or two; ask until one is long enough to
    // have come in several chunks (each of at most 4 bytes' worth of tokens)
    WebElement reply = null;
    GenerationRecord logged = null;
    for (int attempt = 0;
        attempt < 3 && (logged == null || logged.completionTokens() < 8);
        attempt++) {
      reply = send("How do you do, Mr. Darcy?", 1).get(0);
      // the reply is logged asynchronously: wait for what is queued to be committed
      server.trafficLog().flush().get(10, TimeUnit.SECONDS);
      logged = server.trafficLog().findGeneration(reply.getAttribute("data-id")).orElseThrow();
    }
    WebElement rated = reply;
    String id = rated.getAttribute("data-id");

    // the reply was put together from several streamed chunks, and says which version wrote it
    int chunks = Integer.parseInt(rated.getAttribute("data-chunks"));
    assertTrue(chunks >= 2, "streamed chunks: " + chunks + " for " + logged);
    long version = Long.parseLong(rated.getAttribute("data-version"));
    assertEquals(logged.modelVersion(), version);
    assertTrue(
        rated.findElement(By.cssSelector(".meta")).getText().startsWith("model v" + version),
        rated.getText());
    assertEquals(logged.response(), textOf(rated), "the page shows the logged reply");

    rated.findElement(By.cssSelector("button.rate[data-rating=up]")).click();
    WebElement ack =
        new WebDriverWait(browser, WAIT)
            .until(
                d -> {
                  WebElement a = rated.findElement(By.cssSelector(".ack"));
                  return a.getAttribute("data-rating") != null ? a : null;
                });
    assertEquals("up", ack.getAttribute("data-rating"));
    assertTrue(ack.getText().contains("saved"), ack.getText());
    screenshot("chat");

    // an acknowledged rating is on disk
    List<RatedGeneration> ratings = server.trafficLog().ratedGenerations(0, 1000);
    RatedGeneration rating =
        ratings.stream()
            .filter(r -> r.generation().id().equals(id))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no rating of " + id + " in " + ratings));
    assertEquals(Rating.UP, rating.rating());
    assertEquals(version, rating.generation().modelVersion());
    assertEquals(List.of(), browserErrors());
  }

  /**
   * The page's event-stream reader gets the same events however the bytes are cut: at every byte of
   * a body with a multi-byte character, comments, a multi-line event and CRLF line ends.
   */
  @Test
  void eventStreamReaderIsIndifferentToWhereReadsSplit() {
    assumeBrowser();
    browser.get(http.url("/"));
    browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    Object outcomes =
        ((JavascriptExecutor) browser)
            .executeAsyncScript(
                """
                const done = arguments[arguments.length - 1];
                const body = 'data: {"a":"h\\u00e9llo \\u{1F44D}"}\\n\\n: a comment\\n\\n'
                    + 'data: line1\\ndata: line2\\r\\n\\r\\nevent: x\\ndata: [DONE]\\n\\n'
                    + 'data: never read\\n\\n';
                const bytes = new TextEncoder().encode(body);
                function streamOf(parts) {
                  return new ReadableStream({start(c) { parts.forEach((p) => c.enqueue(p)); c.close(); }});
                }
                async function read(parts) {
                  const seen = [];
                  const stopped = await Sail.readEvents(streamOf(parts), (d) => {
                    seen.push(d);
                    return d !== '[DONE]';
                  });
                  return JSON.stringify([stopped, seen]);
                }
                (async () => {
                  const outcomes = new Set();
                  for (let cut = 0; cut <= bytes.length; cut++) {
                    outcomes.add(await read([bytes.slice(0, cut), bytes.slice(cut)]));
                  }
                  outcomes.add(await read(Array.from(bytes, (b) => new Uint8Array([b]))));
                  // without [DONE] the reader reports that the stream just ended
                  outcomes.add(await read([new TextEncoder().encode('data: x\\n\\ndata: y')]));
                  done(Array.from(outcomes));
                })().catch((e) => done(['error: ' + e]));
                """);
    JsonArray everyCut =
        new JsonArray()
            .add(true)
            .add(
                new JsonArray()
                    .add("{\"a\":\"h\u00e9llo \uD83D\uDC4D\"}")
                    .add("line1\nline2")
                    .add("[DONE]"));
    JsonArray unfinished = new JsonArray().add(false).add(new JsonArray().add("x"));
    List<JsonArray> seen = new ArrayList<>();
    for (Object outcome : (List<?>) outcomes) {
      seen.add(new JsonArray(String.valueOf(outcome)));
    }
    assertEquals(List.of(everyCut, unfinished), seen);
  }

  @Test
  void anEnteredApiKeyIsSentAsBearerTokenAndClearingItStops() {
    assumeBrowser();
    browser.get(http.url("/"));
    browser.findElement(By.cssSelector(".settings summary")).click();
    WebElement key = browser.findElement(By.id("api-key"));
    key.sendKeys("test-key-123");
    key.sendKeys(Keys.TAB); // commits the field ("change")
    assertEquals(
        "Bearer test-key-123", script("return Sail.headers({}).Authorization;"), "after typing");
    // kept across a reload, and shared with the dashboard
    browser.get(http.url("/dashboard"));
    assertEquals("Bearer test-key-123", script("return Sail.headers({}).Authorization;"));
    browser.findElement(By.cssSelector(".settings summary")).click();
    WebElement dashboardKey = browser.findElement(By.id("api-key"));
    assertEquals("test-key-123", dashboardKey.getAttribute("value"));
    dashboardKey.clear();
    dashboardKey.sendKeys(Keys.TAB);
    assertEquals(null, script("return Sail.headers({}).Authorization ?? null;"), "after clearing");
  }

  @Test
  void comparisonModeSendsThePickAsAPreference() throws Exception {
    assumeBrowser();
    browser.get(http.url("/"));
    browserErrors();
    browser.findElement(By.id("compare")).click();
    List<WebElement> replies = send("Is it a fine day?", 2);
    String first = replies.get(0).getAttribute("data-id");
    String second = replies.get(1).getAttribute("data-id");
    assertNotNull(first);
    assertNotNull(second);
    assertFalse(first.equals(second), "each candidate has its own id");
    for (WebElement reply : replies) {
      assertTrue(reply.findElement(By.cssSelector(".meta")).getText().startsWith("model v"));
    }

    replies.get(1).findElement(By.cssSelector("button.prefer")).click();
    WebElement ack = waitFor(".compare-ack[data-chosen]");
    assertEquals(second, ack.getAttribute("data-chosen"));
    assertTrue(replies.get(1).getAttribute("class").contains("chosen"));
    screenshot("compare");

    List<PreferencePair> pairs = server.trafficLog().preferencePairs(0, 1000);
    assertTrue(
        pairs.stream()
            .anyMatch(p -> p.chosen().id().equals(second) && p.rejected().id().equals(first)),
        "preference " + second + " over " + first + " in " + pairs);
    assertEquals(List.of(), browserErrors());
  }

  @Test
  void dashboardShowsTrainingAndServingLive() throws Exception {
    assumeBrowser();
    awaitTrainingHistory();
    // a reply for the serving tiles to show
    assertEquals(
        200,
        http.postJson(
                "/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":8}")
            .statusCode());
    browser.get(http.url("/dashboard"));
    browserErrors();
    // two polls: the second shows what changed after the first
    new WebDriverWait(browser, WAIT)
        .until(
            d ->
                Integer.parseInt(
                        Optional.ofNullable(
                                d.findElement(By.tagName("body")).getAttribute("data-polls"))
                            .orElse("0"))
                    >= 2);
    long step = Long.parseLong(browser.findElement(By.id("t-step")).getText());
    assertTrue(step >= 2, "step tile " + step);
    assertFalse(browser.findElement(By.id("t-loss")).getText().equals("—"), "a loss is shown");
    assertTrue(browser.findElement(By.id("t-kl")).getText().contains("≤"), "the KL guard is shown");
    // this server reports neither yet: the tiles say so rather than show a number
    assertEquals("—", browser.findElement(By.id("t-reward-accuracy")).getText());
    assertEquals("—", browser.findElement(By.id("t-win-rate")).getText());
    // one chart per panel, drawn by the bundled uPlot
    assertEquals(5, browser.findElements(By.cssSelector(".chart .uplot canvas")).size());
    // the charts hold the server's history: loss per step, KL per publish, version per second
    assertTrue(chartPoints("loss") >= 1, "loss points");
    assertTrue(chartPoints("kl") >= 1, "KL points");
    assertTrue(chartPoints("version") >= 2, "version points");
    // the meters table lists what the charts do not: no serving meter appears in it
    // read in one script: the table is re-rendered every poll, so elements go stale
    List<?> meterNames =
        (List<?>)
            ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript(
                    "return Array.from(document.querySelectorAll('#meters tr td:first-child'))"
                        + ".map(td => td.textContent)");
    for (Object name : meterNames) {
      assertFalse(
          String.valueOf(name)
              .matches(
                  "sail_(generat|engine_|traffic_log|requests_rejected|feedback|preferences).*"),
          String.valueOf(name));
    }
    assertFalse(browser.findElement(By.id("t-step-seconds")).getText().equals("—"));
    String p95 = browser.findElement(By.id("t-p95")).getText();
    assertTrue(Double.parseDouble(p95) > 0, "p95 tile " + p95);
    WebElement publishRow = waitFor("#publishes tr td.pass, #publishes tr td.fail");
    assertTrue(publishRow.getText().matches("published|skipped"), publishRow.getText());
    // the whole page in one picture
    browser.manage().window().setSize(new Dimension(1280, 2200));
    screenshot("dashboard");
    browser.manage().window().setSize(new Dimension(1280, 900));
    assertEquals(List.of(), browserErrors());
  }

  static long chartPoints(String chart) {
    return (Long) script("return window.sailDashboard.charts[arguments[0]].data[0].length;", chart);
  }

  /** Waits until the history holds a step report and a publish attempt, and checks their shape. */
  static JsonObject awaitTrainingHistory() throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    while (true) {
      JsonObject history = new JsonObject(http.get("/v1/admin/dashboard").body());
      JsonObject report = null;
      for (Object o : history.getJsonArray("samples")) {
        JsonObject sample = (JsonObject) o;
        if (sample.containsKey("step_report")) {
          report = sample.getJsonObject("step_report");
        }
      }
      JsonArray publishes = history.getJsonArray("publishes");
      if (report != null && !publishes.isEmpty()) {
        return history;
      }
      assertTrue(System.currentTimeMillis() < deadline, "no training history: " + history);
      Thread.sleep(500);
    }
  }

  @Test
  void dashboardHistoryHoldsStepReportsAndPublishAttempts() throws Exception {
    JsonObject history = awaitTrainingHistory();
    long lastStep = 0;
    for (Object o : history.getJsonArray("samples")) {
      JsonObject sample = (JsonObject) o;
      JsonObject report = sample.getJsonObject("step_report");
      if (report == null) {
        continue;
      }
      assertTrue(report.getLong("step") > lastStep, "steps increase: " + history);
      lastStep = report.getLong("step");
      assertTrue(Double.isFinite(report.getDouble("loss")), report.encode());
      assertTrue(report.getDouble("seconds") > 0, report.encode());
      // dpo preset: every row is an offline pair
      assertEquals(2L, report.getJsonObject("rows").getLong("OFFLINE_DPO"), report.encode());
      assertTrue(sample.getLong("step") >= report.getLong("step"), sample.encode());
      assertNotNull(sample.getString("training_state"), sample.encode());
    }
    JsonObject publish = history.getJsonArray("publishes").getJsonObject(0);
    assertEquals(0, publish.getLong("step") % 2, "publishes every 2 steps: " + publish);
    JsonArray guards = publish.getJsonArray("guards");
    assertTrue(
        guards.stream().anyMatch(g -> ((JsonObject) g).getString("name").equals("KL")),
        guards.encode());
  }
}
