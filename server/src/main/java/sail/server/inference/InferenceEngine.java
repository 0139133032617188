package sail.server.inference;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.registry.ModelRegistry;

/**
 * The serving engine: one or more {@link EngineLane lanes}, each a thread with its own share of the
 * slots running continuous batching over the same published weights. A request goes to the queue of
 * the lane with the fewest sequences (running plus queued) that has room for it; a lane with a free
 * slot and an empty queue takes the oldest request of the longest other queue, so a slot freed by a
 * finish or a cancel in one lane serves requests queued at another.
 *
 * <p>Why lanes: a decode step of the default model is many small native operations, and on a CPU it
 * is bound by one core's memory bandwidth (weights and KV cache, docs/benchmarks.md). A second
 * intra-op thread does not split such small operations profitably, but a second lane decoding half
 * the rows on another core does: with two lanes a server on the 2-core development machine served
 * 16–42% more tokens per second at concurrency 16 than with one, in four alternating pairs
 * (docs/benchmarks.md, "Lanes"). On 2 cores the lanes then leave the event loops and the trainer
 * little room (a demo with training on got two thirds of the trainer steps, docs/demo.md run 70),
 * so one lane is the default ({@code engine.lanes}); machines with more cores are where lanes pay.
 * Weights are read-only while serving and reference-counted per version, so lanes share them; each
 * lane owns its KV cache.
 */
public final class InferenceEngine implements TextGenerator, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceEngine.class);

  private final ModelRegistry registry;
  private final EngineSettings settings;
  private final List<EngineLane> lanes = new ArrayList<>();
  private final EngineStats stats = new EngineStats();
  private final AutoCloseable ownedResources;

  public InferenceEngine(ModelRegistry registry, EngineSettings settings) {
    this(registry, settings, () -> {});
  }

  /**
   * @param ownedResources closed after every lane's thread has stopped (e.g. the model it loaded)
   */
  public InferenceEngine(
      ModelRegistry registry, EngineSettings settings, AutoCloseable ownedResources) {
    this.registry = registry;
    this.settings = settings;
    this.ownedResources = ownedResources;
    int count = settings.effectiveLanes();
    for (int i = 0; i < count; i++) {
      String name = count == 1 ? "sail-engine" : "sail-engine-" + i;
      lanes.add(new EngineLane(registry, settings.lane(i, count), stats, name));
    }
    for (EngineLane lane : lanes) {
      lane.setSiblings(lanes);
    }
  }

  /** Counters and timings of the engine, summed over its lanes (read by metrics and benchmarks). */
  public EngineStats stats() {
    return stats;
  }

  /** Lanes running. */
  public int lanes() {
    return lanes.size();
  }

  @Override
  public GenerationHandle submit(GenerationRequest request, GenerationListener listener)
      throws OverloadedException {
    int[] prompt = registry.model().tokenizer().encodeChatPrompt(request.messages());
    List<EngineLane> byLoad = new ArrayList<>(lanes);
    if (byLoad.size() > 1) {
      byLoad.sort(Comparator.comparingInt(lane -> lane.activeSequences() + lane.queuedRequests()));
    }
    for (EngineLane lane : byLoad) {
      try {
        return lane.submit(prompt, request.params(), listener);
      } catch (OverloadedException full) {
        // try the next lane; refused only when every lane is full
      }
    }
    stats.rejected.incrementAndGet();
    throw new OverloadedException(
        queuedRequests(), settings.queueCapacity(), settings.retryAfterSeconds());
  }

  @Override
  public long currentModelVersion() {
    return registry.currentVersion();
  }

  @Override
  public int queuedRequests() {
    int n = 0;
    for (EngineLane lane : lanes) {
      n += lane.queuedRequests();
    }
    return n;
  }

  @Override
  public int activeSequences() {
    int n = 0;
    for (EngineLane lane : lanes) {
      n += lane.activeSequences();
    }
    return n;
  }

  @Override
  public int countPromptTokens(GenerationRequest request) {
    return registry.model().tokenizer().encodeChatPrompt(request.messages()).length;
  }

  @Override
  public int contextLength() {
    return registry.model().contextLength();
  }

  @Override
  public void close() {
    lanes.forEach(EngineLane::stop);
    long deadline = System.nanoTime() + 5_000_000_000L;
    boolean stopped = true;
    for (EngineLane lane : lanes) {
      stopped &= lane.awaitStop(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    }
    if (stopped) {
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
}
