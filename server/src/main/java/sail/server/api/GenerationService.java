package sail.server.api;

import io.vertx.core.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.data.Counts;
import sail.server.data.Feedback;
import sail.server.data.GenerationIds;
import sail.server.data.GenerationRecord;
import sail.server.data.Preference;
import sail.server.data.Rating;
import sail.server.data.Sampling;
import sail.server.data.TrafficLog;
import sail.server.data.Turn;
import sail.server.inference.ChatMessage;
import sail.server.inference.FinishReason;
import sail.server.inference.GenerationHandle;
import sail.server.inference.GenerationListener;
import sail.server.inference.GenerationRequest;
import sail.server.inference.GenerationResult;
import sail.server.inference.OverloadedException;
import sail.server.inference.TextGenerator;
import sail.server.metrics.ServingMetrics;

/**
 * What both API boundaries do with a request, independent of the wire: submits the candidates to
 * the engine, brings the engine's events back to the caller's event loop, logs finished replies and
 * records feedback.
 *
 * <p>Threading: {@link #start} runs on an event loop; the {@link CallListener} is called on the
 * {@link Context} passed to it, never on the engine thread.
 */
public final class GenerationService {
  private static final Logger LOG = LoggerFactory.getLogger(GenerationService.class);

  /** Receives the progress of one request; all methods run on the request's context. */
  public interface CallListener {
    /** New text of candidate {@code index}. */
    default void onDelta(int index, String delta) {}

    /** Candidate {@code candidate.index()} is finished (called once per candidate). */
    default void onCandidate(Candidate candidate) {}

    /** All candidates are finished, in index order. Last call unless {@link #onError} came. */
    void onDone(List<Candidate> candidates);

    /** The request failed; the other candidates were cancelled. Last call. */
    void onError(Throwable error);
  }

  /** A started request. */
  public interface Call {
    /** The generation ids of the candidates, in index order. */
    List<String> ids();

    /** Cancels every unfinished candidate and frees their batch slots; no listener call follows. */
    void cancel();
  }

  /** A point-in-time view for the Status RPC. */
  public record Status(
      long modelVersion,
      Counts counts,
      int queued,
      int active,
      long uptimeSeconds,
      boolean ready) {}

  private final AtomicReference<TextGenerator> engine = new AtomicReference<>();
  private final AtomicReference<sail.server.training.TrainingLoop> training =
      new AtomicReference<>();
  private final AtomicReference<sail.server.evaluation.Evaluator> evaluator =
      new AtomicReference<>();
  private final TrafficLog log;
  private final RequestValidator validator;
  private final ServingMetrics metrics;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final long startNanos = System.nanoTime();
  private volatile boolean accepting = true;

  public GenerationService(TrafficLog log, RequestValidator validator, ServingMetrics metrics) {
    this.log = log;
    this.validator = validator;
    this.metrics = metrics;
  }

  /** Publishes the loaded engine; from now on the server is ready. */
  public void engineReady(TextGenerator loaded) {
    engine.set(loaded);
  }

  /** Publishes the running trainer (absent with --no-train). */
  public void trainingReady(sail.server.training.TrainingLoop loop) {
    training.set(loop);
  }

  /** The trainer, or {@code null} when training is off or not started yet. */
  public sail.server.training.TrainingLoop training() {
    return training.get();
  }

  /** Publishes the evaluator (absent with an engine that has no model versions). */
  public void evaluationReady(sail.server.evaluation.Evaluator ready) {
    evaluator.set(ready);
  }

  /** The evaluator, or {@code null} while the model is loading. */
  public sail.server.evaluation.Evaluator evaluator() {
    return evaluator.get();
  }

  /** The engine, or {@code null} while the model is loading. */
  public TextGenerator engine() {
    return engine.get();
  }

  public boolean ready() {
    return accepting && engine.get() != null;
  }

  public RequestValidator validator() {
    return validator;
  }

  public ServingMetrics metrics() {
    return metrics;
  }

  /** Validates a request as received by a boundary; throws {@link ApiException}. */
  public GenerateCommand validate(GenerateInput input) {
    TextGenerator e = availableEngine();
    return validator.generate(input, e);
  }

  /**
   * Submits all candidates of {@code command}. Throws {@link ApiException.Overloaded} (nothing
   * stays queued) or {@link ApiException.Unavailable}; later failures go to {@code listener}.
   */
  public Call start(GenerateCommand command, String api, Context context, CallListener listener) {
    TextGenerator e = availableEngine();
    RunningCall call = new RunningCall(command, api, context, listener);
    call.submitAll(e);
    return call;
  }

  private TextGenerator availableEngine() {
    if (!accepting) {
      throw new ApiException.Unavailable("server is shutting down");
    }
    TextGenerator e = engine.get();
    if (e == null) {
      throw new ApiException.Unavailable("model is still loading; retry when /health/ready is 200");
    }
    return e;
  }

  /** Records a rating; completes once it is on disk. */
  public CompletionStage<Boolean> feedback(
      String id, Rating rating, String comment, String client) {
    return log.recordFeedback(new Feedback(id, client, rating, comment))
        .whenComplete(
            (replaced, error) -> {
              if (error == null) {
                metrics.feedback(rating.name().toLowerCase(Locale.ROOT));
              }
            });
  }

  /** Records a preference; completes once it is on disk. */
  public CompletionStage<Boolean> prefer(String chosen, String rejected, String client) {
    return log.recordPreference(new Preference(chosen, rejected, client))
        .whenComplete(
            (replaced, error) -> {
              if (error == null) {
                metrics.preference();
              }
            });
  }

  public Status status() {
    TextGenerator e = engine.get();
    return new Status(
        e == null ? 0 : e.currentModelVersion(),
        log.counts(),
        e == null ? 0 : e.queuedRequests(),
        e == null ? 0 : e.activeSequences(),
        Duration.ofNanos(System.nanoTime() - startNanos).toSeconds(),
        ready());
  }

  /** Refuses new requests from now on (they get UNAVAILABLE / 503). */
  public void stopAccepting() {
    accepting = false;
  }

  /** Requests started and not yet finished. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Blocks until no request is in flight or {@code timeout} passed; true if drained. */
  public boolean awaitDrained(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** The state of one request; mutated only on its context. */
  private final class RunningCall implements Call {
    private final GenerateCommand command;
    private final String api;
    private final Context context;
    private final CallListener listener;
    private final GenerationHandle[] handles;
    private final List<String> ids;
    private final Candidate[] finished;
    private final long[] firstTextNanos;
    private final long startNanos = System.nanoTime();
    private int remaining;
    private boolean over;

    RunningCall(GenerateCommand command, String api, Context context, CallListener listener) {
      this.command = command;
      this.api = api;
      this.context = context;
      this.listener = listener;
      this.handles = new GenerationHandle[command.n()];
      List<String> issued = new ArrayList<>(command.n());
      for (int i = 0; i < command.n(); i++) {
        issued.add(GenerationIds.next());
      }
      this.ids = List.copyOf(issued);
      this.finished = new Candidate[command.n()];
      this.firstTextNanos = new long[command.n()];
      Arrays.fill(firstTextNanos, -1);
      this.remaining = command.n();
    }

    void submitAll(TextGenerator e) {
      inFlight.incrementAndGet();
      for (int i = 0; i < command.n(); i++) {
        String id = ids.get(i);
        try {
          handles[i] =
              e.submit(
                  new GenerationRequest(command.messages(), command.params(i)),
                  new CandidateListener(i, id));
        } catch (OverloadedException overloaded) {
          end();
          cancelHandles();
          throw new ApiException.Overloaded(
              overloaded.getMessage(), overloaded.retryAfterSeconds());
        } catch (RuntimeException failure) {
          end();
          cancelHandles();
          throw failure;
        }
      }
    }

    @Override
    public List<String> ids() {
      return ids;
    }

    @Override
    public void cancel() {
      if (!over) {
        end();
        cancelHandles();
        for (int i = 0; i < finished.length; i++) {
          if (finished[i] == null) {
            metrics.generationFinished(api, "cancelled", 0, System.nanoTime() - startNanos, -1);
          }
        }
      }
    }

    private void end() {
      over = true;
      inFlight.decrementAndGet();
    }

    private void cancelHandles() {
      for (GenerationHandle h : handles) {
        if (h != null) {
          h.cancel();
        }
      }
    }

    private void onText(int index, String delta) {
      if (over) {
        return;
      }
      if (firstTextNanos[index] < 0) {
        firstTextNanos[index] = System.nanoTime() - startNanos;
      }
      listener.onDelta(index, delta);
    }

    private void onComplete(int index, String id, GenerationResult result) {
      if (over) {
        return;
      }
      Candidate candidate = new Candidate(id, index, result);
      finished[index] = candidate;
      remaining--;
      String outcome = result.finishReason().name().toLowerCase(Locale.ROOT);
      metrics.generationFinished(
          api,
          outcome,
          result.completionTokens(),
          System.nanoTime() - startNanos,
          firstTextNanos[index]);
      if (!command.noLog() && result.finishReason() != FinishReason.CANCELLED) {
        // queued before the reply leaves, so feedback on it is always applied after it
        log.append(record(candidate))
            .exceptionally(
                error -> {
                  LOG.warn("generation {} was not logged: {}", id, error.toString());
                  return null;
                });
      }
      listener.onCandidate(candidate);
      if (remaining == 0) {
        end();
        listener.onDone(List.of(finished));
      }
    }

    private void onError(Throwable error) {
      if (over) {
        return;
      }
      end();
      cancelHandles();
      metrics.generationFinished(api, "error", 0, System.nanoTime() - startNanos, -1);
      listener.onError(error);
    }

    private GenerationRecord record(Candidate c) {
      List<Turn> prompt = new ArrayList<>(command.messages().size());
      for (ChatMessage m : command.messages()) {
        prompt.add(new Turn(m.role().name().toLowerCase(Locale.ROOT), m.content()));
      }
      GenerationResult r = c.result();
      return new GenerationRecord(
          c.id(),
          Instant.now(),
          prompt,
          r.text(),
          r.modelVersion(),
          new Sampling(
              command.temperature(),
              command.topP(),
              command.topK(),
              command.maxTokens(),
              command.stop(),
              command.seed() + c.index()),
          r.promptTokens(),
          r.completionTokens(),
          r.sumLogProb(),
          r.finishReason().name().toLowerCase(Locale.ROOT),
          command.clientId());
    }

    /** Engine events for one candidate, re-dispatched onto the request's context. */
    private final class CandidateListener implements GenerationListener {
      private final int index;
      private final String id;

      CandidateListener(int index, String id) {
        this.index = index;
        this.id = id;
      }

      @Override
      public void onText(String delta) {
        context.runOnContext(v -> RunningCall.this.onText(index, delta));
      }

      @Override
      public void onComplete(GenerationResult result) {
        context.runOnContext(v -> RunningCall.this.onComplete(index, id, result));
      }

      @Override
      public void onError(Throwable error) {
        context.runOnContext(v -> RunningCall.this.onError(error));
      }
    }
  }
}
