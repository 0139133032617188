package sail.server.inference;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.model.CausalLanguageModel;
import sail.server.model.GradMode;
import sail.server.registry.ModelRegistry;
import sail.server.registry.PublishedModel;

/**
 * One lane of the serving engine: a thread that owns its running batches and runs continuous
 * batching over its share of the slots. Requests wait in a bounded queue, join a running batch
 * between decode steps, stream text back through their listener, and leave as soon as they finish
 * or are cancelled. {@link InferenceEngine} spreads requests over its lanes.
 *
 * <p>Admission happens between steps, on the lane's thread: every queued request that a free slot
 * allows (one slot per sequence, {@code maxBatch} in all) goes through the model in one padded
 * prefill, its first token is sampled and its keys/values are copied into free rows of its batch. A
 * cancelled sequence gives its slot back at once. While every slot is taken, the oldest queued
 * request is prefilled ahead (at most one per step boundary): a cancel then hands it the slot on
 * the cancelling thread, which samples its first token from the stored logits (host only), so its
 * first chunk leaves without waiting for the step in progress; a finish hands it the slot at the
 * next boundary without a prefill in between. Prefill stays on this thread: a second busy thread
 * per lane measured slower decode steps on a 2-core machine shared with the event loops
 * (docs/benchmarks.md, "Serving").
 *
 * <p>Versions: each request is decoded entirely by the version that was current when it was
 * admitted. There is one {@link DecodeBatch} per version in use; after a publish, new requests go
 * to the new version's batch while the old batch drains, and its weights are released when it is
 * empty. No step ever pauses for a publish.
 */
final class EngineLane {
  private static final Logger LOG = LoggerFactory.getLogger(EngineLane.class);

  private final ModelRegistry registry;
  private final CausalLanguageModel model;
  private final EngineSettings settings;
  private final BlockingQueue<Request> queue;
  private final Map<Long, VersionBatch> batches = new LinkedHashMap<>();
  private final Thread thread;
  private final EngineStats stats;
  private volatile boolean running = true;
  private volatile int active;

  /** One permit per sequence that may be prefilling or decoding: {@code maxBatch} in all. */
  private final Semaphore slots;

  /** Prefilled requests waiting for the lane's thread to copy them into their batch. */
  private final ConcurrentLinkedQueue<Admission> prefilled = new ConcurrentLinkedQueue<>();

  /** Requests started and not yet joined (counted as active). */
  private final AtomicInteger admitting = new AtomicInteger();

  /**
   * Requests prefilled ahead while waiting for a slot, oldest first. The lane's thread adds them; a
   * cancel may take the oldest on the caller's thread ({@link #startAheadNow}).
   */
  private final ConcurrentLinkedDeque<Staged> staged = new ConcurrentLinkedDeque<>();

  /** Requests out of the queue but not started (prefilled ahead): still counted as queued. */
  private final AtomicInteger waitingAhead = new AtomicInteger();

  /** Most requests prefilled ahead at once. */
  private final int stageLimit;

  /** Every lane of the engine, this one included; set once before the first request. */
  private volatile List<EngineLane> siblings = List.of();

  /**
   * @param settings this lane's share: its slots and its queue
   * @param stats counters shared by all lanes of the engine
   */
  EngineLane(ModelRegistry registry, EngineSettings settings, EngineStats stats, String name) {
    this.registry = registry;
    this.model = registry.model();
    this.settings = settings;
    this.stats = stats;
    this.queue = new ArrayBlockingQueue<>(Math.max(1, settings.queueCapacity()));
    this.slots = new Semaphore(settings.maxBatch());
    this.stageLimit = Math.max(1, settings.maxBatch() / 4);
    this.thread = new Thread(this::loop, name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Queues a request for this lane.
   *
   * @throws OverloadedException when its queue is full (not counted: the engine may try another
   *     lane)
   */
  GenerationHandle submit(int[] prompt, SamplingParams params, GenerationListener listener)
      throws OverloadedException {
    if (!running) {
      throw new IllegalStateException("engine is shut down");
    }
    Request pending = new Request(this, prompt, params, listener);
    if (settings.queueCapacity() == 0 && active >= settings.maxBatch() || !queue.offer(pending)) {
      throw new OverloadedException(
          queue.size(), settings.queueCapacity(), settings.retryAfterSeconds());
    }
    stats.submitted.incrementAndGet();
    LockSupport.unpark(thread);
    return pending::cancel;
  }

  /** The engine's lanes, whose queued requests this lane may take when it has a free slot. */
  void setSiblings(List<EngineLane> lanes) {
    this.siblings = List.copyOf(lanes);
  }

  /** Requests waiting for a slot of this lane. */
  int queuedRequests() {
    return queue.size() + waitingAhead.get();
  }

  /** Sequences in this lane's batches or joining them. */
  int activeSequences() {
    return active;
  }

  /** Asks the lane's thread to stop; {@link #awaitStop} waits for it. */
  void stop() {
    running = false;
    thread.interrupt();
  }

  /** Waits up to {@code waitMillis} for the lane's thread to end; true when it has. */
  boolean awaitStop(long waitMillis) {
    try {
      thread.join(waitMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  // ---- lane thread ----

  private void loop() {
    GradMode.disable();
    GradMode.setThreadsForThisThread(settings.intraOpThreads());
    try {
      while (running) {
        boolean worked = admit();
        worked |= joinPrefilled();
        worked |= stepAll();
        if (!worked) {
          // idle: a submit, a cancel or a slot given back wakes us
          LockSupport.parkNanos(this, 50_000_000L);
          if (Thread.interrupted()) {
            break;
          }
        }
      }
    } catch (RuntimeException | Error e) {
      LOG.error("inference engine failed", e);
    } finally {
      dropPending();
      shutdownBatches();
    }
  }

  /** Drops cancelled rows, then copies every prefilled request into its version's batch. */
  private boolean joinPrefilled() {
    // Rows cancelled during the last step leave now, before anything joins.
    for (VersionBatch batch : batches.values()) {
      batch.decode.removeCancelled();
    }
    boolean worked = false;
    Admission admission;
    while ((admission = prefilled.poll()) != null) {
      worked = true;
      Prefill prefill = admission.prefill;
      PublishedModel published = admission.published;
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
      admitting.addAndGet(-prefill.sequences().size());
      long start = System.nanoTime();
      try {
        batch.decode.join(prefill);
        // admission = prefill + this copy: the engine's time per request counts both
        stats.prefillNanos.addAndGet(System.nanoTime() - start);
      } catch (RuntimeException e) {
        for (DecodeSequence sequence : prefill.sequences()) {
          ((Request) sequence.tag()).fail(e);
        }
        failAll(batch, e);
      }
    }
    active = countActive();
    return worked;
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
          LOG.error("decode step failed for version {}", batch.published.version(), e);
          failSequences(batch, e);
          batch.close();
          it.remove();
          continue;
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
    int n = admitting.get();
    for (VersionBatch batch : batches.values()) {
      n += batch.decode.size();
    }
    return n;
  }

  private void failAll(VersionBatch batch, RuntimeException error) {
    LOG.error("decode step failed for version {}", batch.published.version(), error);
    failSequences(batch, error);
    batch.close();
    batches.remove(batch.published.version());
  }

  private static void failSequences(VersionBatch batch, RuntimeException error) {
    for (DecodeSequence sequence : batch.decode.sequences()) {
      ((Request) sequence.tag()).fail(error);
    }
  }

  /** Fails the requests started or prefilled ahead but not joined yet (shutdown). */
  private void dropPending() {
    Staged dropped;
    while ((dropped = staged.poll()) != null) {
      dropped.close();
      dropped.request.fail(new IllegalStateException("server is shutting down"));
    }
    Admission admission;
    while ((admission = prefilled.poll()) != null) {
      for (DecodeSequence sequence : admission.prefill.sequences()) {
        ((Request) sequence.tag()).fail(new IllegalStateException("server is shutting down"));
      }
      admission.prefill.close();
      admission.published.weights().release();
    }
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
    active = 0;
  }

  // ---- admission (lane thread, between steps) ----

  /**
   * Admission at a step boundary: requests prefilled ahead take free slots first, then the queued
   * requests that free slots allow share one prefill; at most one queued request is prefilled ahead
   * per boundary, so a decode step is never held up by more than one extra prefill.
   *
   * @return false when there was nothing to do
   */
  private boolean admit() {
    boolean worked = false;
    boolean ahead = false;
    while (true) {
      Admitted round = admitOnce(!ahead);
      if (round == Admitted.NOTHING) {
        return worked;
      }
      worked = true;
      ahead |= round == Admitted.AHEAD;
    }
  }

  /** What one round of admission did. */
  private enum Admitted {
    NOTHING,
    STARTED,
    AHEAD
  }

  /**
   * One round of admission: a request prefilled ahead takes a free slot first; otherwise every
   * queued request a free slot allows shares one prefill; with no free slot (and {@code
   * mayPrefillAhead}), the oldest queued request is prefilled ahead, so that a slot given back (a
   * cancel, a finish) is taken with its first token sampled at the next step boundary, not one
   * prefill later.
   */
  private Admitted admitOnce(boolean mayPrefillAhead) {
    dropCancelledStaged();
    if (slots.tryAcquire()) {
      Staged next = takeStaged();
      if (next != null) {
        next.request.lane = this;
        next.request.holdSlot();
        if (next.request.cancelled) {
          next.close(); // cancelled at another lane since that lane last dropped its cancelled
          next.request.finishCancelledBeforeStart();
        } else if (next.published.version() == registry.currentVersion()) {
          start(List.of(next.request), next.prefill, next.published);
        } else {
          // published while it waited: a reply is produced by the version current at its start
          next.close();
          prefillAndStart(List.of(next.request));
        }
        return Admitted.STARTED;
      }
      slots.release();
    }
    List<Request> joining = new ArrayList<>();
    while (slots.tryAcquire()) {
      Request request = nextQueued();
      if (request == null) {
        slots.release();
        break;
      }
      request.holdSlot();
      if (!request.completeIfCancelledBeforeStart()) {
        joining.add(request);
      }
    }
    if (!joining.isEmpty()) {
      prefillAndStart(joining);
      return Admitted.STARTED;
    }
    if (mayPrefillAhead && staged.size() < stageLimit && !queue.isEmpty()) {
      waitingAhead.incrementAndGet(); // still queued for status and overload purposes
      Request request = queue.poll();
      if (request == null || request.completeIfCancelledBeforeStart()) {
        waitingAhead.decrementAndGet();
        return request == null ? Admitted.NOTHING : Admitted.STARTED;
      }
      PublishedModel published = registry.acquire();
      Prefill prefill = prefill(List.of(request), published);
      if (prefill == null) {
        waitingAhead.decrementAndGet();
      } else {
        staged.add(new Staged(request, prefill, published));
      }
      return Admitted.AHEAD;
    }
    return Admitted.NOTHING;
  }

  /**
   * The oldest request prefilled ahead at this lane or, when this lane has none and nothing queued,
   * at another lane (its prefill is only tensors on the shared weights, so any lane can join it).
   */
  private Staged takeStaged() {
    Staged own = staged.poll();
    if (own != null) {
      waitingAhead.decrementAndGet();
      return own;
    }
    EngineLane other = queue.isEmpty() ? otherLaneWithStaged() : null;
    Staged theirs = other == null ? null : other.staged.poll();
    if (theirs != null) {
      other.waitingAhead.decrementAndGet();
    }
    return theirs;
  }

  /** Another lane with a request prefilled ahead, or null. */
  private EngineLane otherLaneWithStaged() {
    for (EngineLane other : siblings) {
      if (other != this && !other.staged.isEmpty()) {
        return other;
      }
    }
    return null;
  }

  /**
   * The oldest request of this lane's queue or, when that is empty, of the longest queue among the
   * other lanes: a slot freed here never sits idle while another lane's requests wait.
   */
  private Request nextQueued() {
    Request own = queue.poll();
    if (own != null) {
      return own;
    }
    EngineLane busiest = null;
    for (EngineLane other : siblings) {
      if (other != this && other.queue.size() > (busiest == null ? 0 : busiest.queue.size())) {
        busiest = other;
      }
    }
    Request taken = busiest == null ? null : busiest.queue.poll();
    if (taken != null) {
      taken.lane = this;
    }
    return taken;
  }

  /**
   * Gives a free slot to the oldest request prefilled ahead right now, on the calling thread (a
   * cancel): its first token is sampled on the host from logits computed earlier, so its first
   * chunk leaves without waiting for the step in progress; the lane thread copies it into the batch
   * at the next boundary, after dropping the cancelled row. With none prefilled ahead at this lane,
   * another lane's is taken. Leaves the work to the lane threads when that request was cancelled
   * too or its version is no longer current.
   */
  private void startAheadNow() {
    EngineLane source = staged.isEmpty() ? otherLaneWithStaged() : this;
    if (source == null || !slots.tryAcquire()) {
      return;
    }
    Staged next = source.staged.pollFirst();
    if (next == null) {
      slots.release();
      return;
    }
    if (next.request.cancelled || next.published.version() != registry.currentVersion()) {
      source.staged.offerFirst(next);
      slots.release();
      LockSupport.unpark(thread);
      return;
    }
    source.waitingAhead.decrementAndGet();
    next.request.lane = this;
    next.request.holdSlot();
    start(List.of(next.request), next.prefill, next.published);
  }

  /**
   * Completes requests cancelled while their prefill waited for a slot. Whoever unlinks an entry
   * (this, another lane taking it, a cancel starting it) owns it, so side effects follow the
   * remove.
   */
  private void dropCancelledStaged() {
    for (Staged waiting : staged) {
      if (waiting.request.cancelled && staged.remove(waiting)) {
        waitingAhead.decrementAndGet();
        waiting.close();
        waiting.request.finishCancelledBeforeStart();
      }
    }
  }

  private void prefillAndStart(List<Request> joining) {
    PublishedModel published = registry.acquire();
    Prefill prefill = prefill(joining, published);
    if (prefill != null) {
      start(joining, prefill, published);
    }
  }

  /**
   * Runs the prompts of {@code joining} on {@code published}; on failure fails the requests,
   * releases {@code published} and returns null.
   */
  private Prefill prefill(List<Request> joining, PublishedModel published) {
    List<DecodeSequence> sequences = new ArrayList<>();
    for (Request request : joining) {
      DecodeSequence sequence =
          new DecodeSequence(request.prompt, request.params, model.tokenizer(), request, request);
      request.sequence = sequence;
      if (request.cancelled) {
        sequence.cancel(); // cancelled between leaving the queue and getting its sequence
      }
      sequences.add(sequence);
    }
    try {
      Prefill prefill =
          Prefill.run(model, published.weights().parameterStore(), published.version(), sequences);
      stats.recordPrefill(prefill.nanos(), sequences.size());
      return prefill;
    } catch (RuntimeException e) {
      LOG.error("prefill failed for version {}", published.version(), e);
      published.weights().release();
      for (Request request : joining) {
        request.fail(e);
      }
      return null;
    }
  }

  /** Starts requests holding slots: samples their first tokens and hands them to the engine. */
  private void start(List<Request> joining, Prefill prefill, PublishedModel published) {
    for (Request request : joining) {
      request.listener.onStart(published.version(), request.prompt.length);
    }
    admitting.addAndGet(joining.size());
    prefill.sampleFirstTokens();
    prefilled.add(new Admission(prefill, published));
    LockSupport.unpark(thread);
  }

  /** A request prefilled ahead, waiting for a slot, with the reference to its version's weights. */
  private record Staged(Request request, Prefill prefill, PublishedModel published) {
    void close() {
      prefill.close();
      published.weights().release();
    }
  }

  /** A prefill on its way to the lane thread, with the reference to its version's weights. */
  private record Admission(Prefill prefill, PublishedModel published) {}

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

  /**
   * A submitted request; also the observer of its sequence. It belongs to the lane whose queue it
   * is in, or that took it from there: another lane with a free slot may take it from the queue
   * ({@link #nextQueued}), and from then on its slot, cancel and counts are that lane's.
   */
  private static final class Request implements DecodeSequence.Observer {
    volatile EngineLane lane;
    final int[] prompt;
    final SamplingParams params;
    final GenerationListener listener;
    volatile DecodeSequence sequence;
    private volatile boolean cancelled;
    private boolean done;

    /** Set while this request holds one of the engine's slots. */
    private final AtomicBoolean slot = new AtomicBoolean();

    Request(EngineLane lane, int[] prompt, SamplingParams params, GenerationListener listener) {
      this.lane = lane;
      this.prompt = prompt;
      this.params = params;
      this.listener = listener;
    }

    void cancel() {
      cancelled = true;
      EngineLane owner = lane;
      DecodeSequence running = sequence;
      if (running != null) {
        running.cancel();
        // the row leaves at the next step boundary; a request prefilled ahead starts now
        releaseSlot();
        owner.startAheadNow();
      } else if (owner.queue.remove(this)) {
        finishCancelledBeforeStart();
      }
      // else a lane has taken it out of the queue and finishes it as cancelled when it starts
      LockSupport.unpark(owner.thread);
    }

    void holdSlot() {
      slot.set(true);
    }

    /** Gives the slot back (once) and wakes the engine to admit the next request. */
    void releaseSlot() {
      if (slot.compareAndSet(true, false)) {
        EngineLane owner = lane;
        owner.slots.release();
        LockSupport.unpark(owner.thread);
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
      releaseSlot();
      if (!done) {
        done = true;
        lane.stats.cancelled.incrementAndGet();
        listener.onComplete(
            new GenerationResult(
                "",
                new int[0],
                new float[0],
                prompt.length,
                FinishReason.CANCELLED,
                lane.registry.currentVersion()));
      }
    }

    @Override
    public void onText(DecodeSequence sequence, String delta) {
      listener.onText(delta);
    }

    @Override
    public synchronized void onFinish(DecodeSequence sequence) {
      releaseSlot();
      if (done) {
        return;
      }
      done = true;
      GenerationResult result = sequence.result();
      EngineStats stats = lane.stats;
      if (result.finishReason() == FinishReason.CANCELLED) {
        stats.cancelled.incrementAndGet();
      } else {
        stats.completed.incrementAndGet();
        stats.generatedTokens.addAndGet(result.completionTokens());
      }
      listener.onComplete(result);
    }

    synchronized void fail(Throwable error) {
      releaseSlot();
      if (!done) {
        done = true;
        listener.onError(error);
      }
    }
  }
}
