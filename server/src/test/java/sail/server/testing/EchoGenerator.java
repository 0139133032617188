package sail.server.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import sail.server.inference.ChatMessage;
import sail.server.inference.FinishReason;
import sail.server.inference.GenerationHandle;
import sail.server.inference.GenerationListener;
import sail.server.inference.GenerationRequest;
import sail.server.inference.GenerationResult;
import sail.server.inference.OverloadedException;
import sail.server.inference.TextGenerator;

/**
 * A deterministic stand-in for the engine with the same contract: a bounded admission queue, at
 * most {@code maxBatch} running sequences, one token per running sequence per step, sequences
 * joining and leaving between steps, cancel freeing a slot at once.
 *
 * <p>The reply to a conversation is {@code "echo <seed> <last message>"}, one word per token, so
 * candidates with different seeds differ. A last message of {@code "fail"} makes the sequence fail
 * with an error after its first token.
 */
public final class EchoGenerator implements TextGenerator, AutoCloseable {
  private final int maxBatch;
  private final int queueCapacity;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "echo-engine");
            t.setDaemon(true);
            return t;
          });
  private final Queue<Sequence> queued = new ArrayDeque<>();
  private final List<Sequence> active = new ArrayList<>();
  private final AtomicLong modelVersion = new AtomicLong(1);
  private final AtomicLong steps = new AtomicLong();
  private volatile int cancelledCount;

  public EchoGenerator(int maxBatch, int queueCapacity, long stepMillis) {
    this.maxBatch = maxBatch;
    this.queueCapacity = queueCapacity;
    thread.scheduleWithFixedDelay(this::step, stepMillis, stepMillis, TimeUnit.MILLISECONDS);
  }

  /** The reply the generator gives, for assertions. */
  public static String replyTo(String lastMessage, long seed) {
    return "echo " + seed + " " + lastMessage;
  }

  public void setModelVersion(long version) {
    modelVersion.set(version);
  }

  /** Sequences that ended because they were cancelled. */
  public int cancelledCount() {
    return cancelledCount;
  }

  @Override
  public synchronized GenerationHandle submit(
      GenerationRequest request, GenerationListener listener) throws OverloadedException {
    if (queued.size() >= queueCapacity && active.size() >= maxBatch) {
      throw new OverloadedException(queued.size(), queueCapacity, 1);
    }
    Sequence s = new Sequence(request, listener);
    queued.add(s);
    admit();
    return s::cancel;
  }

  private synchronized void admit() {
    while (active.size() < maxBatch && !queued.isEmpty()) {
      Sequence s = queued.poll();
      s.version = modelVersion.get();
      active.add(s);
      s.listener.onStart(s.version, s.promptTokens);
    }
  }

  /** One decode step: every running sequence emits one token. */
  private void step() {
    List<Runnable> events = new ArrayList<>();
    synchronized (this) {
      steps.incrementAndGet();
      for (Iterator<Sequence> it = active.iterator(); it.hasNext(); ) {
        Sequence s = it.next();
        Runnable event = s.advance();
        if (event != null) {
          events.add(event);
        }
        if (s.done) {
          it.remove();
        }
      }
      admit();
    }
    // listeners run outside the lock, as a real engine would call them from its loop
    events.forEach(Runnable::run);
  }

  @Override
  public long currentModelVersion() {
    return modelVersion.get();
  }

  @Override
  public synchronized int queuedRequests() {
    return queued.size();
  }

  @Override
  public synchronized int activeSequences() {
    return active.size();
  }

  @Override
  public int countPromptTokens(GenerationRequest request) {
    int tokens = 0;
    for (ChatMessage m : request.messages()) {
      tokens += 1 + words(m.content()).length;
    }
    return tokens;
  }

  @Override
  public int contextLength() {
    return 512;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  private static String[] words(String text) {
    String trimmed = text.trim();
    return trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
  }

  private final class Sequence {
    final GenerationRequest request;
    final GenerationListener listener;
    final String[] reply;
    final int promptTokens;
    final boolean fail;
    final StringBuilder text = new StringBuilder();
    int produced;
    long version;
    boolean done;
    boolean cancelled;

    Sequence(GenerationRequest request, GenerationListener listener) {
      this.request = request;
      this.listener = listener;
      String last = request.messages().get(request.messages().size() - 1).content();
      this.reply = words(replyTo(last, request.params().seed()));
      this.promptTokens = countPromptTokens(request);
      this.fail = last.trim().equals("fail");
    }

    void cancel() {
      synchronized (EchoGenerator.this) {
        if (done) {
          return;
        }
        cancelled = true;
        done = true;
        queued.remove(this);
        active.remove(this);
        cancelledCount++;
        admit();
      }
      listener.onComplete(result(FinishReason.CANCELLED));
    }

    /** Produces the next token; returns the listener calls to make, or null. */
    Runnable advance() {
      if (done) {
        return null;
      }
      if (fail && produced == 1) {
        done = true;
        return () -> listener.onError(new IllegalStateException("scripted failure"));
      }
      String delta = (produced == 0 ? "" : " ") + reply[produced];
      text.append(delta);
      produced++;
      boolean stop = produced == reply.length;
      boolean length = produced >= request.params().maxNewTokens();
      if (!stop && !length) {
        return () -> listener.onText(delta);
      }
      done = true;
      GenerationResult result = result(stop ? FinishReason.STOP : FinishReason.LENGTH);
      return () -> {
        listener.onText(delta);
        listener.onComplete(result);
      };
    }

    GenerationResult result(FinishReason reason) {
      int[] tokens = new int[produced];
      float[] logprobs = new float[produced];
      for (int i = 0; i < produced; i++) {
        tokens[i] = i + 1;
        logprobs[i] = -0.5f;
      }
      return new GenerationResult(
          text.toString(),
          tokens,
          logprobs,
          promptTokens,
          reason,
          version == 0 ? modelVersion.get() : version);
    }
  }
}
