package sail.server.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import sail.server.model.GptLanguageModel;
import sail.server.model.GradMode;
import sail.server.model.TinyModels;
import sail.server.model.WeightSnapshot;
import sail.server.registry.ModelRegistry;

class InferenceEngineTest {
  private GptLanguageModel model;
  private ModelRegistry registry;

  @BeforeEach
  void setUp() {
    model = TinyModels.create();
    registry = new ModelRegistry(model, 1, WeightSnapshot.copyOf(model.block(), Device.cpu()));
  }

  @AfterEach
  void tearDown() {
    model.close();
  }

  /** Collects a reply and its streamed text. */
  static class Collector implements GenerationListener {
    final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    final StringBuilder streamed = new StringBuilder();
    volatile long startedVersion = -1;

    @Override
    public void onStart(long modelVersion, int promptTokens) {
      startedVersion = modelVersion;
    }

    @Override
    public synchronized void onText(String delta) {
      streamed.append(delta);
    }

    @Override
    public void onComplete(GenerationResult r) {
      result.complete(r);
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    GenerationResult get() throws Exception {
      return result.get(60, TimeUnit.SECONDS);
    }
  }

  private static GenerationRequest request(String prompt, SamplingParams params) {
    return GenerationRequest.ofPrompt(prompt, params);
  }

  @Test
  void concurrentRequestsCompleteAndStreamTheirText() throws Exception {
    try (InferenceEngine engine = new InferenceEngine(registry, new EngineSettings(4, 16, 1, 1))) {
      List<Collector> collectors = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Collector c = new Collector();
        engine.submit(request("Hello " + i, SamplingParams.sampled(1.0, 16, i)), c);
        collectors.add(c);
      }
      for (Collector c : collectors) {
        GenerationResult r = c.get();
        assertEquals(1, r.modelVersion());
        assertEquals(r.text(), c.streamed.toString(), "streamed deltas equal the final text");
        assertTrue(r.completionTokens() > 0);
      }
      assertEquals(8, engine.stats().completed.get());
    }
  }

  @Test
  void fullQueueRefusesWithOverload() throws Exception {
    try (InferenceEngine engine = new InferenceEngine(registry, new EngineSettings(1, 1, 1, 2))) {
      List<Collector> accepted = new ArrayList<>();
      OverloadedException refused = null;
      for (int i = 0; i < 20 && refused == null; i++) {
        Collector c = new Collector();
        try {
          engine.submit(request("busy", SamplingParams.sampled(1.0, 40, i)), c);
          accepted.add(c);
        } catch (OverloadedException e) {
          refused = e;
        }
      }
      assertTrue(refused != null, "a bounded queue must refuse");
      assertEquals(2, refused.retryAfterSeconds());
      for (Collector c : accepted) {
        c.get();
      }
    }
  }

  @Test
  void cancelFreesTheSlotForTheNextRequest() throws Exception {
    try (InferenceEngine engine = new InferenceEngine(registry, new EngineSettings(1, 4, 1, 1))) {
      Collector longOne = new Collector();
      CountDownLatch firstText = new CountDownLatch(1);
      GenerationHandle handle =
          engine.submit(
              request("long", new SamplingParams(1.0, 0, 1, 40, List.of(), 3)),
              new GenerationListener() {
                @Override
                public void onText(String delta) {
                  firstText.countDown();
                }

                @Override
                public void onComplete(GenerationResult result) {
                  longOne.onComplete(result);
                }

                @Override
                public void onError(Throwable error) {
                  longOne.onError(error);
                }
              });
      Collector next = new Collector();
      engine.submit(request("next", SamplingParams.sampled(1.0, 4, 4)), next);
      firstText.await(30, TimeUnit.SECONDS);
      handle.cancel();
      GenerationResult cancelled = longOne.get();
      assertTrue(
          cancelled.finishReason() == FinishReason.CANCELLED || cancelled.completionTokens() < 40);
      assertTrue(next.get().completionTokens() > 0, "the freed slot serves the waiting request");
    }
  }

  @Test
  void cancelHandsTheSlotToARequestPrefilledAheadWithinOneDecodeStep() throws Exception {
    try (InferenceEngine engine = new InferenceEngine(registry, new EngineSettings(1, 4, 1, 1))) {
      long[] decodeStepsAtNextStart = {-1};
      Collector next =
          new Collector() {
            @Override
            public void onStart(long modelVersion, int promptTokens) {
              decodeStepsAtNextStart[0] = engine.stats().decodeSteps.get();
              super.onStart(modelVersion, promptTokens);
            }
          };
      Collector longOne = new Collector();
      GenerationHandle handle =
          engine.submit(request("long", new SamplingParams(1.0, 0, 1, 40, List.of(), 3)), longOne);
      while (longOne.startedVersion < 0) {
        Thread.sleep(1);
      }
      engine.submit(request("next", SamplingParams.sampled(1.0, 4, 4)), next);
      // the waiting request is prefilled while the only slot is busy, and still counts as queued
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (engine.stats().prefills.get() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertEquals(2, engine.stats().prefills.get(), "the queued request was prefilled ahead");
      assumeTrue(!longOne.result.isDone(), "the long reply ended on its own first");
      assertEquals(1, engine.queuedRequests());
      assertEquals(-1, next.startedVersion);

      long decodeStepsAtCancel = engine.stats().decodeSteps.get();
      handle.cancel();
      assertEquals(FinishReason.CANCELLED, longOne.get().finishReason());
      assertTrue(next.get().completionTokens() > 0);
      // issue 3: a cancelled stream's slot is reused within one decode step, with no prefill
      assertTrue(
          decodeStepsAtNextStart[0] - decodeStepsAtCancel <= 1,
          "decode steps between the cancel and the waiting request's start: "
              + (decodeStepsAtNextStart[0] - decodeStepsAtCancel));
      assertEquals(2, engine.stats().prefills.get(), "no prefill was needed after the cancel");
      assertEquals(0, engine.queuedRequests());
    }
  }

  @Test
  void publishMidFlightNeverMixesVersionsWithinAReply() throws Exception {
    SamplingParams greedy = SamplingParams.greedy(30);
    try (InferenceEngine engine = new InferenceEngine(registry, new EngineSettings(8, 64, 1, 1))) {
      List<Collector> before = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Collector c = new Collector();
        engine.submit(request("version test", greedy), c);
        before.add(c);
      }
      // change the live weights and publish them as version 2 while the first replies run
      boolean grad = GradMode.disable();
      try (NDScope ignored = new NDScope()) {
        for (var entry : model.block().getParameters()) {
          entry.getValue().getArray().muli(1.5f);
        }
      } finally {
        GradMode.restore(grad);
      }
      WeightSnapshot v2 = WeightSnapshot.copyOf(model.block(), Device.cpu());
      registry.publish(2, v2);
      Collector after = new Collector();
      engine.submit(request("version test", greedy), after);

      GenerationResult newer = after.get();
      assertEquals(2, newer.modelVersion());
      for (Collector c : before) {
        GenerationResult r = c.get();
        WeightSnapshot weightsOfItsVersion = r.modelVersion() == 2 ? v2 : null;
        // every reply equals an isolated greedy run of the version it reports
        GenerationResult isolated =
            r.modelVersion() == 2
                ? BatchGenerator.generate(
                        model,
                        weightsOfItsVersion.parameterStore(),
                        2,
                        List.of(
                            model
                                .tokenizer()
                                .encodeChatPrompt(List.of(ChatMessage.user("version test")))),
                        List.of(greedy),
                        1)
                    .get(0)
                : null;
        if (isolated != null) {
          assertArrayEquals(isolated.tokens(), r.tokens());
        } else {
          assertEquals(1, r.modelVersion());
          assertArrayEquals(before.get(0).get().tokens(), r.tokens(), "same version, same reply");
        }
      }
      assertThrows(IllegalArgumentException.class, () -> registry.publish(2, v2));
    }
  }

  @Test
  void twoLanesShareTheLoadAndReplyAsOneLaneDoes() throws Exception {
    SamplingParams greedy = SamplingParams.greedy(24);
    List<int[]> oneLane = new ArrayList<>();
    try (InferenceEngine engine = new InferenceEngine(registry, new EngineSettings(4, 16, 1, 1))) {
      for (int i = 0; i < 6; i++) {
        Collector c = new Collector();
        engine.submit(request("lane " + i, greedy), c);
        oneLane.add(c.get().tokens());
      }
    }
    try (InferenceEngine engine =
        new InferenceEngine(registry, new EngineSettings(4, 16, 1, 1, 2))) {
      assertEquals(2, engine.lanes());
      List<Collector> collectors = new ArrayList<>();
      Set<String> threads = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 6; i++) {
        Collector c =
            new Collector() {
              @Override
              public synchronized void onText(String delta) {
                threads.add(Thread.currentThread().getName());
                super.onText(delta);
              }
            };
        engine.submit(request("lane " + i, greedy), c);
        collectors.add(c);
      }
      for (int i = 0; i < 6; i++) {
        assertArrayEquals(oneLane.get(i), collectors.get(i).get().tokens(), "reply " + i);
      }
      assertEquals(Set.of("sail-engine-0", "sail-engine-1"), threads, "both lanes decoded");
      assertEquals(6, engine.stats().completed.get());
    }
  }

  @Test
  void lanesRefuseOnlyWhenEveryLaneIsFullAndCountItOnce() throws Exception {
    // two lanes of one slot and one queued request each: a burst of long replies fills both
    // (earlier ones may finish meanwhile, so submit until refused)
    try (InferenceEngine engine =
        new InferenceEngine(registry, new EngineSettings(2, 2, 1, 3, 2))) {
      List<Collector> accepted = new ArrayList<>();
      OverloadedException refused = null;
      for (int i = 0; i < 50 && refused == null; i++) {
        Collector c = new Collector();
        try {
          engine.submit(request("long " + i, new SamplingParams(1.0, 0, 1, 60, List.of(), i)), c);
          accepted.add(c);
        } catch (OverloadedException e) {
          refused = e;
        }
      }
      assertTrue(refused != null, "bounded lanes must refuse");
      assertTrue(accepted.size() >= 2, "a full first lane sends requests to the second");
      assertEquals(3, refused.retryAfterSeconds());
      assertEquals(1, engine.stats().rejected.get(), "one refusal counted, not one per lane");
      for (Collector c : accepted) {
        c.get();
      }
      assertEquals(accepted.size(), engine.stats().submitted.get());
    }
  }

  @Test
  void aSlotFreedInOneLaneServesARequestWaitingAtAnother() throws Exception {
    // two lanes of one slot. Lane 1's thread is held inside the start of its request (its slot
    // taken), so the next request, queued at lane 1 as the less loaded lane, can only be served if
    // lane 0 takes it once lane 0's own reply is cancelled
    CountDownLatch lane1Held = new CountDownLatch(1);
    CountDownLatch releaseLane1 = new CountDownLatch(1);
    try (InferenceEngine engine =
        new InferenceEngine(registry, new EngineSettings(2, 4, 1, 1, 2))) {
      try {
        Collector cancelled = new Collector();
        GenerationHandle handle =
            engine.submit(request("cancelled", SamplingParams.greedy(20)), cancelled);
        awaitActive(engine, 1);
        Collector held =
            new Collector() {
              @Override
              public void onStart(long modelVersion, int promptTokens) {
                lane1Held.countDown();
                try {
                  releaseLane1.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            };
        engine.submit(request("held", SamplingParams.greedy(8)), held);
        assertTrue(lane1Held.await(30, TimeUnit.SECONDS), "lane 1 started the held request");
        Collector waiting = new Collector();
        engine.submit(request("waiting", SamplingParams.greedy(8)), waiting);
        assertEquals(1, engine.queuedRequests());
        handle.cancel();
        GenerationResult served = waiting.result.get(20, TimeUnit.SECONDS);
        assertTrue(served.completionTokens() > 0, "served by lane 0 while lane 1 was held");
        assertFalse(held.result.isDone());
        cancelled.get();
        releaseLane1.countDown();
        assertTrue(held.get().completionTokens() > 0);
      } finally {
        releaseLane1.countDown();
      }
    }
  }

  private static void awaitActive(InferenceEngine engine, int sequences)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (engine.activeSequences() < sequences && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertEquals(sequences, engine.activeSequences());
  }

  @Test
  void lanesSplitSlotsAndQueueEvenly() {
    EngineSettings settings = new EngineSettings(5, 3, 1, 1, 2);
    assertEquals(new EngineSettings(3, 2, 1, 1, 1), settings.lane(0, 2));
    assertEquals(new EngineSettings(2, 1, 1, 1, 1), settings.lane(1, 2));
    assertEquals(2, new EngineSettings(2, 0, 1, 1, 4).effectiveLanes(), "no lane without a slot");
    assertThrows(IllegalArgumentException.class, () -> new EngineSettings(2, 0, 1, 1, 0));
  }
}
