package sail.server.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjLongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable record of every generation, rating and preference: an embedded SQLite database
 * ({@code traffic.db} in the data directory, WAL journal).
 *
 * <p>Writes never block the caller. They are queued to one writer thread, which drains the queue
 * and applies everything it finds in one transaction, so under load many events share one commit. A
 * batch that holds feedback or a preference commits with {@code synchronous=FULL}: the returned
 * future completes only after the commit reached the disk, so an acknowledged rating survives a
 * crash. Generation-only batches commit with {@code synchronous=NORMAL} (durable against a process
 * crash, the WAL is synced at checkpoints).
 *
 * <p>Futures complete on the writer thread; callers that touch an event loop hop back first. The
 * read methods for the trainer ({@link #ratedGenerations}, {@link #preferencePairs}, {@link
 * #findGeneration}) block on their own connection and must not be called from an event loop.
 */
public final class TrafficLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrafficLog.class);
  private static final int SCHEMA_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<Turn>> TURNS = new TypeReference<>() {};

  /**
   * Tuning of the writer.
   *
   * @param maxBatch most events applied in one transaction
   * @param queueCapacity most events waiting for the writer; beyond it writes fail fast with {@link
   *     LogOverloadedException} instead of growing memory without bound
   */
  public record Options(int maxBatch, int queueCapacity) {
    public static final Options DEFAULTS = new Options(512, 100_000);

    public Options {
      if (maxBatch < 1 || queueCapacity < 1) {
        throw new IllegalArgumentException("maxBatch and queueCapacity must be >= 1");
      }
    }
  }

  /** The writer queue is full. */
  public static final class LogOverloadedException extends RuntimeException {
    LogOverloadedException(int capacity) {
      super("traffic log writer is " + capacity + " events behind; retry shortly");
    }
  }

  /** Thrown by operations on a closed log. */
  public static final class LogClosedException extends RuntimeException {
    LogClosedException() {
      super("traffic log is closed");
    }
  }

  private final Path file;
  private final Options options;
  private final Connection writer;
  private final Connection reader;
  private final BlockingQueue<Op<?>> queue;
  private final Thread writerThread;
  private final AtomicLong generations = new AtomicLong();
  private final AtomicLong feedback = new AtomicLong();
  private final AtomicLong preferences = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();
  private volatile boolean closed;
  // writer thread only
  private long nextFeedbackSeq;
  private long nextPreferenceSeq;
  private boolean fullSync;

  private TrafficLog(Path file, Options options) throws SQLException {
    this.file = file;
    this.options = options;
    this.writer = DriverManager.getConnection("jdbc:sqlite:" + file);
    try {
      try (Statement s = writer.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=NORMAL");
        s.execute("PRAGMA busy_timeout=5000");
      }
      checkIntegrity(writer);
      migrate(writer);
    } catch (SQLException e) {
      writer.close();
      throw e;
    }
    writer.setAutoCommit(false);
    this.reader = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement s = reader.createStatement()) {
      s.execute("PRAGMA busy_timeout=5000");
      s.execute("PRAGMA query_only=ON");
    }
    generations.set(count("SELECT COUNT(*) FROM generations"));
    feedback.set(count("SELECT COUNT(*) FROM feedback"));
    preferences.set(count("SELECT COUNT(*) FROM preferences"));
    nextFeedbackSeq = count("SELECT COALESCE(MAX(seq), 0) FROM feedback") + 1;
    nextPreferenceSeq = count("SELECT COALESCE(MAX(seq), 0) FROM preferences") + 1;
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    this.writerThread = new Thread(this::writeLoop, "traffic-log-writer");
    writerThread.setDaemon(true);
    writerThread.start();
  }

  /** Opens (creating if needed) {@code traffic.db} in {@code dataDir} with default options. */
  public static TrafficLog open(Path dataDir) throws IOException {
    return open(dataDir, Options.DEFAULTS);
  }

  /**
   * Opens (creating if needed) {@code traffic.db} in {@code dataDir}.
   *
   * @throws DamagedLogException if the file is not an intact SQLite database
   */
  public static TrafficLog open(Path dataDir, Options options) throws IOException {
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve("traffic.db");
    try {
      return new TrafficLog(file, options);
    } catch (SQLException e) {
      // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26), extended codes included
      int primary = e.getErrorCode() & 0xff;
      if (primary == 11 || primary == 26) {
        throw new DamagedLogException(file, e.getMessage(), e);
      }
      throw new IOException("cannot open traffic log " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The traffic log's file is damaged. The server refuses to start on it rather than run with
   * feedback it cannot read (training would silently lose it, and new writes could fail at any
   * time); the message names the file and the ways out.
   */
  public static final class DamagedLogException extends IOException {
    DamagedLogException(Path file, String problem, Throwable cause) {
      super(
          "traffic log "
              + file
              + " is damaged ("
              + problem
              + "). Restore it from a backup; or salvage what is readable with"
              + " `sqlite3 "
              + file
              + " .recover | sqlite3 recovered.db` and put recovered.db in its place; or move"
              + " it (with its -wal and -shm files) aside to start with an empty log.",
          cause);
    }
  }

  /**
   * {@code PRAGMA quick_check} at open: damage found now is reported by file, instead of surfacing
   * later as a failed write of someone's feedback or a trainer that cannot read its labels. Cost:
   * one pass over the file (sub-second for tens of MB).
   */
  private static void checkIntegrity(Connection c) throws SQLException {
    List<String> problems = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA quick_check(5)")) {
      while (rs.next()) {
        problems.add(rs.getString(1));
      }
    }
    if (!problems.equals(List.of("ok"))) {
      throw new SQLException(
          "integrity check failed: " + String.join("; ", problems), "SQLITE_CORRUPT", 11);
    }
  }

  private static void migrate(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      int version = 0;
      try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
        if (rs.next()) {
          version = rs.getInt(1);
        }
      }
      if (version > SCHEMA_VERSION) {
        throw new SQLException(
            "traffic log has schema version "
                + version
                + " but this server knows only up to "
                + SCHEMA_VERSION
                + "; use a newer server or another data directory");
      }
      if (version < 1) {
        s.execute(
            """
            CREATE TABLE generations (
              id TEXT PRIMARY KEY,
              created_at INTEGER NOT NULL,
              prompt TEXT NOT NULL,
              response TEXT NOT NULL,
              model_version INTEGER NOT NULL,
              sampling TEXT NOT NULL,
              prompt_tokens INTEGER NOT NULL,
              completion_tokens INTEGER NOT NULL,
              sum_logprob REAL NOT NULL,
              finish_reason TEXT NOT NULL,
              prompt_hash TEXT NOT NULL,
              client_id TEXT NOT NULL)""");
        s.execute("CREATE INDEX generations_prompt_hash ON generations(prompt_hash)");
        s.execute(
            """
            CREATE TABLE feedback (
              seq INTEGER NOT NULL UNIQUE,
              generation_id TEXT NOT NULL REFERENCES generations(id),
              client_id TEXT NOT NULL,
              rating INTEGER NOT NULL,
              comment TEXT NOT NULL,
              created_at INTEGER NOT NULL,
              UNIQUE (generation_id, client_id))""");
        // pair_lo/pair_hi make the pair unordered: a client that flips its choice replaces it
        s.execute(
            """
            CREATE TABLE preferences (
              seq INTEGER NOT NULL UNIQUE,
              chosen_id TEXT NOT NULL REFERENCES generations(id),
              rejected_id TEXT NOT NULL REFERENCES generations(id),
              client_id TEXT NOT NULL,
              pair_lo TEXT NOT NULL,
              pair_hi TEXT NOT NULL,
              created_at INTEGER NOT NULL,
              UNIQUE (client_id, pair_lo, pair_hi))""");
        s.execute("INSERT INTO schema_version (version) VALUES (" + SCHEMA_VERSION + ")");
      }
    }
  }

  // ---------------------------------------------------------------- writes

  /**
   * Queues a generation. The future completes once it is committed; callers usually ignore it
   * (feedback queued later is applied after it, so it always finds the generation).
   */
  public CompletableFuture<Void> append(GenerationRecord generation) {
    return enqueue(new InsertGeneration(generation));
  }

  /**
   * Records a rating, replacing an earlier one by the same client on the same generation. Completes
   * with {@code true} if it replaced one, after the commit is on disk; fails with {@link
   * UnknownGenerationException} if the generation is not logged.
   */
  public CompletableFuture<Boolean> recordFeedback(Feedback event) {
    return enqueue(new UpsertFeedback(event));
  }

  /**
   * Records a preference between two replies to the same prompt, replacing an earlier choice by the
   * same client on the same pair. Completes with {@code true} if it replaced one, once durable;
   * fails with {@link UnknownGenerationException} or {@link PromptMismatchException}.
   */
  public CompletableFuture<Boolean> recordPreference(Preference event) {
    return enqueue(new UpsertPreference(event));
  }

  /** Completes once everything queued before this call is committed (or has failed). */
  public CompletableFuture<Void> flush() {
    return enqueue(new Barrier());
  }

  private <T> CompletableFuture<T> enqueue(Op<T> op) {
    if (closed) {
      return CompletableFuture.failedFuture(new LogClosedException());
    }
    if (!queue.offer(op)) {
      return CompletableFuture.failedFuture(new LogOverloadedException(options.queueCapacity()));
    }
    return op.result;
  }

  // ---------------------------------------------------------------- non-blocking stats

  /** Committed rows; never blocks. */
  public Counts counts() {
    return new Counts(generations.get(), feedback.get(), preferences.get());
  }

  /** Events waiting for the writer. */
  public int pending() {
    return queue.size();
  }

  /** Transactions committed since open (a batch is one commit). */
  public long commits() {
    return commits.get();
  }

  public Path file() {
    return file;
  }

  // ---------------------------------------------------------------- blocking reads

  private static final String GENERATION_COLUMNS =
      "id, created_at, prompt, response, model_version, sampling, prompt_tokens,"
          + " completion_tokens, sum_logprob, finish_reason, client_id";

  /** Looks a generation up by id. Blocks; not for event loops. */
  public Optional<GenerationRecord> findGeneration(String id) {
    synchronized (reader) {
      try (PreparedStatement ps =
          reader.prepareStatement(
              "SELECT " + GENERATION_COLUMNS + " FROM generations WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(readGeneration(rs, 1)) : Optional.empty();
        }
      } catch (SQLException e) {
        throw new IllegalStateException("reading generation " + id, e);
      }
    }
  }

  /**
   * Calls {@code consumer} with the reply text and model version of every logged generation, in the
   * order they were logged. Blocks; not for event loops (it reads the whole table).
   */
  public void forEachReply(ObjLongConsumer<String> consumer) {
    synchronized (reader) {
      try (PreparedStatement ps =
              reader.prepareStatement(
                  "SELECT response, model_version FROM generations ORDER BY rowid");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          consumer.accept(rs.getString(1), rs.getLong(2));
        }
      } catch (SQLException e) {
        throw new IllegalStateException("reading generations", e);
      }
    }
  }

  /**
   * Ratings with {@code seq > afterSeq} in seq order, each joined with the reply it rates. Blocks.
   */
  public List<RatedGeneration> ratedGenerations(long afterSeq, int limit) {
    String sql =
        "SELECT f.seq, f.client_id, f.rating, f.comment, f.created_at, "
            + prefixed("g")
            + " FROM feedback f JOIN generations g ON g.id = f.generation_id"
            + " WHERE f.seq > ? ORDER BY f.seq LIMIT ?";
    synchronized (reader) {
      try (PreparedStatement ps = reader.prepareStatement(sql)) {
        ps.setLong(1, afterSeq);
        ps.setInt(2, limit);
        List<RatedGeneration> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(
                new RatedGeneration(
                    rs.getLong(1),
                    readGeneration(rs, 6),
                    rs.getString(2),
                    Rating.ofValue(rs.getInt(3)),
                    rs.getString(4),
                    Instant.ofEpochMilli(rs.getLong(5))));
          }
        }
        return out;
      } catch (SQLException e) {
        throw new IllegalStateException("reading feedback", e);
      }
    }
  }

  /** Preferences with {@code seq > afterSeq} in seq order, with both replies. Blocks. */
  public List<PreferencePair> preferencePairs(long afterSeq, int limit) {
    String sql =
        "SELECT p.seq, p.client_id, p.created_at, "
            + prefixed("c")
            + ", "
            + prefixed("r")
            + " FROM preferences p JOIN generations c ON c.id = p.chosen_id"
            + " JOIN generations r ON r.id = p.rejected_id"
            + " WHERE p.seq > ? ORDER BY p.seq LIMIT ?";
    int width = GENERATION_COLUMNS.split(",").length;
    synchronized (reader) {
      try (PreparedStatement ps = reader.prepareStatement(sql)) {
        ps.setLong(1, afterSeq);
        ps.setInt(2, limit);
        List<PreferencePair> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(
                new PreferencePair(
                    rs.getLong(1),
                    readGeneration(rs, 4),
                    readGeneration(rs, 4 + width),
                    rs.getString(2),
                    Instant.ofEpochMilli(rs.getLong(3))));
          }
        }
        return out;
      } catch (SQLException e) {
        throw new IllegalStateException("reading preferences", e);
      }
    }
  }

  /**
   * 👍-vs-👎 pairs: for each rating with {@code seq > afterSeq} (at most {@code limit} ratings, in
   * seq order), every earlier opposite rating of another reply to the same prompt. A pair is so
   * reported once, under the seq of its later rating; the 👍 reply is the chosen one. Blocks.
   */
  public List<PreferencePair> ratingPairs(long afterSeq, int limit) {
    String sql =
        "SELECT f.seq, f.client_id, f.created_at, f.rating, "
            + prefixed("g")
            + ", "
            + prefixed("o")
            + " FROM feedback f JOIN generations g ON g.id = f.generation_id"
            + " JOIN generations o ON o.prompt_hash = g.prompt_hash AND o.id <> g.id"
            + " JOIN feedback fo ON fo.generation_id = o.id AND fo.rating = -f.rating"
            + " AND fo.seq < f.seq"
            + " WHERE f.seq IN (SELECT seq FROM feedback WHERE seq > ? ORDER BY seq LIMIT ?)"
            + " ORDER BY f.seq, fo.seq";
    String windowEnd =
        "SELECT MAX(seq) FROM (SELECT seq FROM feedback WHERE seq > ? ORDER BY seq LIMIT ?)";
    int width = GENERATION_COLUMNS.split(",").length;
    synchronized (reader) {
      try (PreparedStatement ps = reader.prepareStatement(sql);
          PreparedStatement end = reader.prepareStatement(windowEnd)) {
        List<PreferencePair> out = new ArrayList<>();
        long after = afterSeq;
        // ratings without an opposite one pair with nothing: read on past them
        while (out.isEmpty()) {
          end.setLong(1, after);
          end.setInt(2, limit);
          long last;
          try (ResultSet rs = end.executeQuery()) {
            last = rs.next() ? rs.getLong(1) : 0;
            if (rs.wasNull() || last <= after) {
              break;
            }
          }
          readRatingPairs(ps, after, limit, width, out);
          after = last;
        }
        return out;
      } catch (SQLException e) {
        throw new IllegalStateException("reading rating pairs", e);
      }
    }
  }

  private static void readRatingPairs(
      PreparedStatement ps, long after, int limit, int width, List<PreferencePair> out)
      throws SQLException {
    ps.setLong(1, after);
    ps.setInt(2, limit);
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        GenerationRecord rated = readGeneration(rs, 5);
        GenerationRecord other = readGeneration(rs, 5 + width);
        boolean ratedUp = Rating.ofValue(rs.getInt(4)) == Rating.UP;
        out.add(
            new PreferencePair(
                rs.getLong(1),
                ratedUp ? rated : other,
                ratedUp ? other : rated,
                rs.getString(2),
                Instant.ofEpochMilli(rs.getLong(3))));
      }
    }
  }

  private static String prefixed(String alias) {
    StringBuilder sb = new StringBuilder();
    for (String column : GENERATION_COLUMNS.split(",")) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(alias).append('.').append(column.trim());
    }
    return sb.toString();
  }

  private static GenerationRecord readGeneration(ResultSet rs, int first) throws SQLException {
    try {
      return new GenerationRecord(
          rs.getString(first),
          Instant.ofEpochMilli(rs.getLong(first + 1)),
          JSON.readValue(rs.getString(first + 2), TURNS),
          rs.getString(first + 3),
          rs.getLong(first + 4),
          JSON.readValue(rs.getString(first + 5), Sampling.class),
          rs.getInt(first + 6),
          rs.getInt(first + 7),
          rs.getDouble(first + 8),
          rs.getString(first + 9),
          rs.getString(first + 10));
    } catch (JsonProcessingException e) {
      throw new SQLException("corrupt JSON in generation " + rs.getString(first), e);
    }
  }

  private long count(String sql) throws SQLException {
    synchronized (reader) {
      try (Statement s = reader.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /** Hash of the canonical prompt JSON; replies to the same conversation share it. */
  static String promptHash(List<Turn> prompt) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(JSON.writeValueAsString(prompt).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- the writer

  /** Closed by the writer after it has applied everything queued before the call. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Stop stop = new Stop();
    try {
      queue.put(stop);
      writerThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // events that raced with close() and landed behind the stop marker
    List<Op<?>> rest = new ArrayList<>();
    queue.drainTo(rest);
    rest.forEach(op -> op.result.completeExceptionally(new LogClosedException()));
    try {
      writer.close();
    } catch (SQLException e) {
      LOG.warn("closing traffic log writer", e);
    }
    synchronized (reader) {
      try {
        reader.close();
      } catch (SQLException e) {
        LOG.warn("closing traffic log reader", e);
      }
    }
  }

  private void writeLoop() {
    List<Op<?>> batch = new ArrayList<>(options.maxBatch());
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch, options.maxBatch() - 1);
      boolean stop = batch.get(batch.size() - 1) instanceof Stop;
      if (stop) {
        batch.remove(batch.size() - 1);
      }
      if (!batch.isEmpty()) {
        applyBatch(batch);
      }
      batch.clear();
      if (stop) {
        return;
      }
    }
  }

  /**
   * Applies a batch in one transaction; each event in its own savepoint so one bad event fails
   * alone.
   */
  private void applyBatch(List<Op<?>> batch) {
    List<Op<?>> applied = new ArrayList<>(batch.size());
    try {
      setFullSync(batch.stream().anyMatch(Op::durable));
      for (Op<?> op : batch) {
        Savepoint savepoint = writer.setSavepoint();
        try {
          op.apply(writer);
          writer.releaseSavepoint(savepoint);
          applied.add(op);
        } catch (RuntimeException | SQLException e) {
          writer.rollback(savepoint);
          op.result.completeExceptionally(e);
        }
      }
      writer.commit();
      commits.incrementAndGet();
    } catch (SQLException e) {
      LOG.error("traffic log commit failed; {} events lost", applied.size(), e);
      try {
        writer.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      // completing an already failed event is a no-op
      batch.forEach(op -> op.result.completeExceptionally(e));
      return;
    }
    applied.forEach(Op::committed);
  }

  private void setFullSync(boolean full) throws SQLException {
    if (full != fullSync) {
      // the driver keeps a transaction open in manual-commit mode, and the synchronous level cannot
      // change inside one: switch to autocommit for the pragma
      writer.setAutoCommit(true);
      try (Statement s = writer.createStatement()) {
        s.execute(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
      } finally {
        writer.setAutoCommit(false);
      }
      fullSync = full;
    }
  }

  private static boolean exists(Connection c, String generationId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM generations WHERE id = ?")) {
      ps.setString(1, generationId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static String promptHashOf(Connection c, String generationId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT prompt_hash FROM generations WHERE id = ?")) {
      ps.setString(1, generationId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new UnknownGenerationException(generationId);
        }
        return rs.getString(1);
      }
    }
  }

  /** One queued event. {@link #apply} runs inside the batch transaction on the writer thread. */
  private abstract static sealed class Op<T>
      permits InsertGeneration, UpsertFeedback, UpsertPreference, Barrier, Stop {
    final CompletableFuture<T> result = new CompletableFuture<>();

    /** Whether the caller waits for an fsync ({@code synchronous=FULL}). */
    abstract boolean durable();

    abstract void apply(Connection c) throws SQLException;

    /** After commit: publish counters and complete the future. */
    abstract void committed();
  }

  private final class InsertGeneration extends Op<Void> {
    private final GenerationRecord g;

    InsertGeneration(GenerationRecord g) {
      this.g = g;
    }

    @Override
    boolean durable() {
      return false;
    }

    @Override
    void apply(Connection c) throws SQLException {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO generations ("
                  + GENERATION_COLUMNS
                  + ", prompt_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, g.id());
        ps.setLong(2, g.createdAt().toEpochMilli());
        ps.setString(3, JSON.writeValueAsString(g.prompt()));
        ps.setString(4, g.response());
        ps.setLong(5, g.modelVersion());
        ps.setString(6, JSON.writeValueAsString(g.sampling()));
        ps.setInt(7, g.promptTokens());
        ps.setInt(8, g.completionTokens());
        ps.setDouble(9, g.sumLogProb());
        ps.setString(10, g.finishReason());
        ps.setString(11, g.clientId());
        ps.setString(12, promptHash(g.prompt()));
        ps.executeUpdate();
      } catch (JsonProcessingException e) {
        throw new SQLException("cannot encode generation " + g.id(), e);
      }
    }

    @Override
    void committed() {
      generations.incrementAndGet();
      result.complete(null);
    }
  }

  private final class UpsertFeedback extends Op<Boolean> {
    private final Feedback f;
    private boolean replaced;

    UpsertFeedback(Feedback f) {
      this.f = f;
    }

    @Override
    boolean durable() {
      return true;
    }

    @Override
    void apply(Connection c) throws SQLException {
      if (!exists(c, f.generationId())) {
        throw new UnknownGenerationException(f.generationId());
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT 1 FROM feedback WHERE generation_id = ? AND client_id = ?")) {
        ps.setString(1, f.generationId());
        ps.setString(2, f.clientId());
        try (ResultSet rs = ps.executeQuery()) {
          replaced = rs.next();
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO feedback (seq, generation_id, client_id, rating, comment, created_at)"
                  + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (generation_id, client_id) DO UPDATE"
                  + " SET seq = excluded.seq, rating = excluded.rating,"
                  + " comment = excluded.comment, created_at = excluded.created_at")) {
        ps.setLong(1, nextFeedbackSeq);
        ps.setString(2, f.generationId());
        ps.setString(3, f.clientId());
        ps.setInt(4, f.rating().value());
        ps.setString(5, f.comment());
        ps.setLong(6, System.currentTimeMillis());
        ps.executeUpdate();
      }
      nextFeedbackSeq++;
    }

    @Override
    void committed() {
      if (!replaced) {
        feedback.incrementAndGet();
      }
      result.complete(replaced);
    }
  }

  private final class UpsertPreference extends Op<Boolean> {
    private final Preference p;
    private boolean replaced;

    UpsertPreference(Preference p) {
      this.p = p;
    }

    @Override
    boolean durable() {
      return true;
    }

    @Override
    void apply(Connection c) throws SQLException {
      if (p.chosenId().equals(p.rejectedId())) {
        throw new PromptMismatchException("chosen and rejected are the same generation");
      }
      String chosenPrompt = promptHashOf(c, p.chosenId());
      String rejectedPrompt = promptHashOf(c, p.rejectedId());
      if (!chosenPrompt.equals(rejectedPrompt)) {
        throw new PromptMismatchException(
            "generations '"
                + p.chosenId()
                + "' and '"
                + p.rejectedId()
                + "' answer different prompts; a preference compares replies to the same prompt");
      }
      String lo = p.chosenId().compareTo(p.rejectedId()) < 0 ? p.chosenId() : p.rejectedId();
      String hi = lo.equals(p.chosenId()) ? p.rejectedId() : p.chosenId();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT 1 FROM preferences WHERE client_id = ? AND pair_lo = ? AND pair_hi = ?")) {
        ps.setString(1, p.clientId());
        ps.setString(2, lo);
        ps.setString(3, hi);
        try (ResultSet rs = ps.executeQuery()) {
          replaced = rs.next();
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO preferences"
                  + " (seq, chosen_id, rejected_id, client_id, pair_lo, pair_hi, created_at)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id, pair_lo, pair_hi)"
                  + " DO UPDATE SET seq = excluded.seq, chosen_id = excluded.chosen_id,"
                  + " rejected_id = excluded.rejected_id, created_at = excluded.created_at")) {
        ps.setLong(1, nextPreferenceSeq);
        ps.setString(2, p.chosenId());
        ps.setString(3, p.rejectedId());
        ps.setString(4, p.clientId());
        ps.setString(5, lo);
        ps.setString(6, hi);
        ps.setLong(7, System.currentTimeMillis());
        ps.executeUpdate();
      }
      nextPreferenceSeq++;
    }

    @Override
    void committed() {
      if (!replaced) {
        preferences.incrementAndGet();
      }
      result.complete(replaced);
    }
  }

  /** Writes nothing; completes with the batch it is committed in. */
  private static final class Barrier extends Op<Void> {
    @Override
    boolean durable() {
      return false;
    }

    @Override
    void apply(Connection c) {}

    @Override
    void committed() {
      result.complete(null);
    }
  }

  /** Marks the end of the queue at close. */
  private static final class Stop extends Op<Void> {
    @Override
    boolean durable() {
      return false;
    }

    @Override
    void apply(Connection c) {}

    @Override
    void committed() {}
  }
}
