package sail.server.inference;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.model.CausalLanguageModel;
import sail.server.model.GradMode;
import sail.server.registry.ModelRegistry;
import sail.server.registry.PublishedModel;

/**
 * The serving engine: one thread owns the model and runs continuous batching. Requests wait in a
 * bounded queue, join a running batch between decode steps, stream text back through their
 * listener, and leave as soon as they finish or are cancelled.
 *
 * <p>Versions: each request is decoded entirely by the version that was current when it was
 * admitted. There is one {@link DecodeBatch} per version in use; after a publish, new requests go
 * to the new version's batch while the old batch drains, and its weights are released when it is
 * empty. No step ever pauses for a publish.
 */
public final class InferenceEngine implements TextGenerator, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceEngine.class);

  private final ModelRegistry registry;
  private final CausalLanguageModel model;
  private final EngineSettings settings;
  private final BlockingQueue<Request> queue;
  private final Map<Long, VersionBatch> batches = new LinkedHashMap<>();
  private final Thread thread;
  private final EngineStats stats = new EngineStats();
  private volatile boolean running = true;
  private volatile int active;

  private final AutoCloseable ownedResources;

  public InferenceEngine(ModelRegistry registry, EngineSettings settings) {
    this(registry, settings, () -> {});
  }

  /**
   * @param ownedResources closed after the engine thread has stopped (e.g. the model it loaded)
   */
  public InferenceEngine(
      ModelRegistry registry, EngineSettings settings, AutoCloseable ownedResources) {
    this.ownedResources = ownedResources;
    this.registry = registry;
    this.model = registry.model();
    this.settings = settings;
    this.queue = new ArrayBlockingQueue<>(Math.max(1, settings.queueCapacity()));
    this.thread = new Thread(this::loop, "sail-engine");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Counters and timings of the engine (read by metrics and benchmarks). */
  public EngineStats stats() {
    return stats;
  }

  @Override
  public GenerationHandle submit(GenerationRequest request, GenerationListener listener)
      throws OverloadedException {
    if (!running) {
      throw new IllegalStateException("engine is shut down");
    }
    int[] prompt = model.tokenizer().encodeChatPrompt(request.messages());
    Request pending = new Request(prompt, request.params(), listener);
    if (settings.queueCapacity() == 0 && active >= settings.maxBatch() || !queue.offer(pending)) {
      stats.rejected.incrementAndGet();
      throw new OverloadedException(
          queue.size(), settings.queueCapacity(), settings.retryAfterSeconds());
    }
    stats.submitted.incrementAndGet();
    return pending::cancel;
  }

  @Override
  public long currentModelVersion() {
    return registry.currentVersion();
  }

  @Override
  public int queuedRequests() {
    return queue.size();
  }

  @Override
  public int activeSequences() {
    return active;
  }

  @Override
  public int countPromptTokens(GenerationRequest request) {
    return model.tokenizer().encodeChatPrompt(request.messages()).length;
  }

  @Override
  public int contextLength() {
    return model.contextLength();
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) {
      try {
        ownedResources.close();
      } catch (Exception e) {
        LOG.warn("closing engine resources failed", e);
      }
    }
  }

  /** The registry this engine serves from (the trainer publishes into it). */
  public ModelRegistry registry() {
    return registry;
  }

  // ---- engine thread ----

  private void loop() {
    GradMode.disable();
    GradMode.setThreadsForThisThread(settings.intraOpThreads());
    try {
      while (running) {
        boolean worked = admit();
        worked |= stepAll();
        if (!worked) {
          Request next = queue.poll(50, TimeUnit.MILLISECONDS);
          if (next != null) {
            waitingHead = next;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.error("inference engine failed", e);
    } finally {
      shutdownBatches();
    }
  }

  /** A request taken from the queue while idle, admitted on the next iteration. */
  private Request waitingHead;

  private boolean admit() {
    // Rows cancelled during the last step give their slots back now rather than at the start of
    // the next step, so a queued request takes a cancelled slot within one decode step.
    for (VersionBatch batch : batches.values()) {
      batch.decode.removeCancelled();
    }
    int free = settings.maxBatch() - countActive();
    if (free <= 0) {
      return false;
    }
    List<Request> joining = new ArrayList<>();
    if (waitingHead != null) {
      joining.add(waitingHead);
      waitingHead = null;
    }
    while (joining.size() < free) {
      Request next = queue.poll();
      if (next == null) {
        break;
      }
      joining.add(next);
    }
    joining.removeIf(Request::completeIfCancelledBeforeStart);
    if (joining.isEmpty()) {
      return false;
    }
    PublishedModel published = registry.acquire();
    VersionBatch batch = batches.get(published.version());
    if (batch == null) {
      batch =
          new VersionBatch(
              published,
              new DecodeBatch(
                  model,
                  published.weights().parameterStore(),
                  published.version(),
                  settings.maxBatch()));
      batches.put(published.version(), batch);
    } else {
      published.weights().release();
    }
    List<DecodeSequence> sequences = new ArrayList<>();
    for (Request request : joining) {
      DecodeSequence sequence =
          new DecodeSequence(request.prompt, request.params, model.tokenizer(), request, request);
      request.sequence = sequence;
      if (request.cancelled) {
        sequence.cancel(); // cancelled between leaving the queue and getting its sequence
      }
      sequences.add(sequence);
      request.listener.onStart(published.version(), request.prompt.length);
    }
    long start = System.nanoTime();
    try {
      batch.decode.admit(sequences);
    } catch (RuntimeException e) {
      failAll(batch, e);
      return true;
    }
    stats.recordPrefill(System.nanoTime() - start, sequences.size());
    active = countActive();
    return true;
  }

  private boolean stepAll() {
    boolean worked = false;
    Iterator<VersionBatch> it = batches.values().iterator();
    while (it.hasNext()) {
      VersionBatch batch = it.next();
      if (!batch.decode.isEmpty()) {
        int rows = batch.decode.size();
        long start = System.nanoTime();
        try {
          batch.decode.step();
        } catch (RuntimeException e) {
          failAll(batch, e);
        }
        stats.recordStep(System.nanoTime() - start, rows);
        worked = true;
      } else {
        batch.decode.removeCancelled();
      }
      if (batch.decode.isEmpty() && batch.published.version() != registry.currentVersion()) {
        batch.close();
        it.remove();
      }
    }
    active = countActive();
    return worked;
  }

  private int countActive() {
    int n = 0;
    for (VersionBatch batch : batches.values()) {
      n += batch.decode.size();
    }
    return n;
  }

  private void failAll(VersionBatch batch, RuntimeException error) {
    LOG.error("decode step failed for version {}", batch.published.version(), error);
    for (DecodeSequence sequence : new ArrayList<>(batch.decode.sequences())) {
      ((Request) sequence.tag()).fail(error);
    }
    batch.close();
    batches.remove(batch.published.version());
  }

  private void shutdownBatches() {
    for (VersionBatch batch : batches.values()) {
      batch.close();
    }
    batches.clear();
    Request pending;
    while ((pending = queue.poll()) != null) {
      pending.fail(new IllegalStateException("server is shutting down"));
    }
    if (waitingHead != null) {
      waitingHead.fail(new IllegalStateException("server is shutting down"));
    }
    active = 0;
  }

  /** A version's batch plus the reference to its weights that keeps them alive. */
  private static final class VersionBatch {
    final PublishedModel published;
    final DecodeBatch decode;

    VersionBatch(PublishedModel published, DecodeBatch decode) {
      this.published = published;
      this.decode = decode;
    }

    void close() {
      decode.close();
      published.weights().release();
    }
  }

  /** A submitted request; also the observer of its sequence. */
  private final class Request implements DecodeSequence.Observer {
    final int[] prompt;
    final SamplingParams params;
    final GenerationListener listener;
    volatile DecodeSequence sequence;
    private volatile boolean cancelled;
    private boolean done;

    Request(int[] prompt, SamplingParams params, GenerationListener listener) {
      this.prompt = prompt;
      this.params = params;
      this.listener = listener;
    }

    void cancel() {
      cancelled = true;
      DecodeSequence running = sequence;
      if (running != null) {
        running.cancel();
      } else if (queue.remove(this)) {
        finishCancelledBeforeStart();
      }
    }

    boolean completeIfCancelledBeforeStart() {
      if (cancelled) {
        finishCancelledBeforeStart();
        return true;
      }
      return false;
    }

    private synchronized void finishCancelledBeforeStart() {
      if (!done) {
        done = true;
        stats.cancelled.incrementAndGet();
        listener.onComplete(
            new GenerationResult(
                "",
                new int[0],
                new float[0],
                prompt.length,
                FinishReason.CANCELLED,
                registry.currentVersion()));
      }
    }

    @Override
    public void onText(DecodeSequence sequence, String delta) {
      listener.onText(delta);
    }

    @Override
    public synchronized void onFinish(DecodeSequence sequence) {
      if (done) {
        return;
      }
      done = true;
      GenerationResult result = sequence.result();
      if (result.finishReason() == FinishReason.CANCELLED) {
        stats.cancelled.incrementAndGet();
      } else {
        stats.completed.incrementAndGet();
        stats.generatedTokens.addAndGet(result.completionTokens());
      }
      listener.onComplete(result);
    }

    synchronized void fail(Throwable error) {
      if (!done) {
        done = true;
        listener.onError(error);
      }
    }
  }

  /** Engine counters; all fields are safe to read from any thread. */
  public static final class EngineStats {
    public final AtomicLong submitted = new AtomicLong();
    public final AtomicLong rejected = new AtomicLong();
    public final AtomicLong completed = new AtomicLong();
    public final AtomicLong cancelled = new AtomicLong();
    public final AtomicLong generatedTokens = new AtomicLong();
    public final AtomicLong decodeSteps = new AtomicLong();
    public final AtomicLong decodeNanos = new AtomicLong();
    public final AtomicLong decodeRows = new AtomicLong();
    public final AtomicLong prefills = new AtomicLong();
    public final AtomicLong prefillNanos = new AtomicLong();

    void recordStep(long nanos, int rows) {
      decodeSteps.incrementAndGet();
      decodeNanos.addAndGet(nanos);
      decodeRows.addAndGet(rows);
    }

    void recordPrefill(long nanos, int sequences) {
      prefills.addAndGet(sequences);
      prefillNanos.addAndGet(nanos);
    }
  }
}
