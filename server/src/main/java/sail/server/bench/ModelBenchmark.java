package sail.server.bench;

import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import sail.server.inference.BatchGenerator;
import sail.server.inference.ChatMessage;
import sail.server.inference.GenerationResult;
import sail.server.inference.SamplingParams;
import sail.server.model.CausalLanguageModel;
import sail.server.model.WeightSnapshot;
import sail.server.training.AdamW;
import sail.server.training.LanguageModelingBatches;
import sail.server.training.OptimizerStep;

/**
 * {@code ./sail bench model}: training and decoding speed of a model, as fractions of the matmul
 * peak measured in the same run (machines here are noisy; only same-run ratios are meaningful).
 */
public final class ModelBenchmark {
  private ModelBenchmark() {}

  /**
   * @param model the model to measure (its live weights are restored afterwards)
   * @param prompts chat prompts used for decoding
   * @param trainBatch windows per training step
   * @param trainSteps timed training steps (after one warm-up step)
   * @param newTokens tokens generated per decode sequence
   */
  public static Map<String, Object> run(
      CausalLanguageModel model,
      List<String> prompts,
      List<String> trainText,
      int trainBatch,
      int trainSteps,
      int newTokens) {
    Map<String, Object> out = new LinkedHashMap<>();
    double peak = MachinePeak.gemmGflops(model.manager(), 2048, 6);
    out.put("gemm_gflops", round(peak));

    // training: forward + backward + AdamW on the default window
    WeightSnapshot saved = WeightSnapshot.copyOf(model.block(), model.device());
    try (AdamW optimizer = new AdamW(AdamW.Settings.defaults(), model.manager())) {
      LanguageModelingBatches text = new LanguageModelingBatches(trainText);
      SplittableRandom random = new SplittableRandom(1);
      PairList<String, Parameter> parameters = model.block().getParameters();
      int window = model.contextLength();
      trainStep(model, text.next(trainBatch, window, random), parameters, optimizer);
      long start = System.nanoTime();
      for (int i = 0; i < trainSteps; i++) {
        trainStep(model, text.next(trainBatch, window, random), parameters, optimizer);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double tokensPerSecond = (double) trainSteps * trainBatch * window / seconds;
      // forward FLOPs at the mean attended span (window/2), ×3 for forward + backward
      double flops = 3 * model.forwardFlopsPerToken(window / 2.0) * tokensPerSecond;
      out.put("train_batch", trainBatch + "x" + window);
      out.put("train_tokens_per_s", round(tokensPerSecond));
      out.put("train_mfu", round(flops / (peak * 1e9)));
    } finally {
      saved.copyInto(model.block());
      saved.release();
    }

    // decoding with a KV cache, with the serving engine's single intra-op thread: batch 1, then 16
    // slots kept full by continuous batching (on one thread, then as two lanes of 8)
    int trainThreads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
    Workload single =
        Workload.of(model, prompts.subList(0, Math.min(16, prompts.size())), newTokens);
    Workload batched =
        Workload.of(model, prompts.subList(0, Math.min(64, prompts.size())), newTokens);
    Decode[] decoded = new Decode[3];
    joinAll(
        List.of(
            startDecodeThread(
                "bench-decode",
                () -> {
                  decoded[0] = decode(model, single, 1);
                  decoded[1] = decode(model, batched, 16);
                  decoded[2] = decodeInLanes(model, batched, 2, 16);
                })));
    Decode b1 = decoded[0];
    Decode b16 = decoded[1];
    // decode = incremental steps only; generate = end to end, prefill and joins included
    out.put("decode_b1_tokens_per_s", round(b1.decodeTokensPerSecond));
    out.put("decode_b16_tokens_per_s", round(b16.decodeTokensPerSecond));
    out.put("decode_b16_speedup", round(b16.decodeTokensPerSecond / b1.decodeTokensPerSecond));
    out.put(
        "decode_b1_mfu",
        round(b1.decodeTokensPerSecond * model.forwardFlopsPerToken(b1.meanSpan) / (peak * 1e9)));
    out.put(
        "decode_b16_mfu",
        round(b16.decodeTokensPerSecond * model.forwardFlopsPerToken(b16.meanSpan) / (peak * 1e9)));
    // the serving engine with engine.lanes = 2: the same 16 slots as two threads of 8
    Decode lanes = decoded[2];
    out.put("decode_b16_2lanes_tokens_per_s", round(lanes.decodeTokensPerSecond));
    out.put(
        "decode_b16_2lanes_speedup", round(lanes.decodeTokensPerSecond / b1.decodeTokensPerSecond));
    out.put(
        "decode_b16_2lanes_mfu",
        round(
            lanes.decodeTokensPerSecond
                * model.forwardFlopsPerToken(lanes.meanSpan)
                / (peak * 1e9)));
    out.put("generate_b16_2lanes_tokens_per_s", round(lanes.tokensPerSecond));
    out.put("decode_b1_tokens_per_s_first_pass", round(b1.firstPassDecodeTokensPerSecond));
    out.put("decode_b16_tokens_per_s_first_pass", round(b16.firstPassDecodeTokensPerSecond));
    out.put("generate_b1_tokens_per_s", round(b1.tokensPerSecond));
    out.put("generate_b16_tokens_per_s", round(b16.tokensPerSecond));
    out.put("prefill_share_b16", round(b16.prefillShare));
    out.put("params", model.parameterCount());
    out.put("threads_train", trainThreads);
    out.put("threads_decode", 1);
    out.put("peak_rss_mb", round(MachinePeak.peakRssMb()));
    return out;
  }

  /**
   * One timed pass of a decode workload.
   *
   * @param firstPassDecodeTokensPerSecond the untimed warm-up pass's decode speed (NaN for the
   *     warm-up itself)
   * @param tokens tokens generated in the pass
   */
  private record Decode(
      double tokensPerSecond,
      double decodeTokensPerSecond,
      double prefillShare,
      double meanSpan,
      double firstPassDecodeTokensPerSecond,
      long tokens) {}

  /**
   * Encoded chat prompts and their sampling (temperature 1, seeded by position), built before any
   * timing starts.
   */
  private record Workload(List<int[]> prompts, List<SamplingParams> params) {
    static Workload of(CausalLanguageModel model, List<String> prompts, int newTokens) {
      List<int[]> encoded = new ArrayList<>();
      List<SamplingParams> params = new ArrayList<>();
      for (int i = 0; i < prompts.size(); i++) {
        encoded.add(model.tokenizer().encodeChatPrompt(List.of(ChatMessage.user(prompts.get(i)))));
        params.add(new SamplingParams(1.0, 0, 1, newTokens, List.of(), i));
      }
      return new Workload(encoded, params);
    }

    Workload slice(int from, int to) {
      return new Workload(prompts.subList(from, to), params.subList(from, to));
    }
  }

  private static Decode decode(CausalLanguageModel model, Workload workload, int maxBatch) {
    // steady state, as a long-running engine sees it: the first pass over the workload pays for
    // JIT compilation of the Java side and the native allocator's first requests (it ran 25-35%
    // slower than later passes in probes), so it is run once untimed and reported on its own
    Decode firstPass = timedPass(model, workload, maxBatch, null);
    return timedPass(model, workload, maxBatch, firstPass);
  }

  /**
   * The batch-{@code slots} workload split over {@code lanes} threads, each with one intra-op
   * thread and its share of the prompts and slots, as the serving engine's lanes run it. Decode
   * speed is the sum of the lanes' (they step at the same time); end-to-end speed is all tokens
   * over the wall time of the pass. Like {@link #decode}, the first pass is untimed.
   */
  private static Decode decodeInLanes(
      CausalLanguageModel model, Workload workload, int lanes, int slots) {
    Decode firstPass = lanePass(model, workload, lanes, slots, null);
    return lanePass(model, workload, lanes, slots, firstPass);
  }

  private static Decode lanePass(
      CausalLanguageModel model, Workload workload, int lanes, int slots, Decode firstPass) {
    Decode[] perLane = new Decode[lanes];
    List<Thread> threads = new ArrayList<>();
    int per = workload.prompts().size() / lanes;
    long start = System.nanoTime();
    for (int lane = 0; lane < lanes; lane++) {
      int index = lane;
      Workload share = workload.slice(lane * per, (lane + 1) * per);
      threads.add(
          startDecodeThread(
              "bench-lane-" + lane,
              () -> perLane[index] = timedPass(model, share, slots / lanes, null)));
    }
    joinAll(threads);
    double seconds = (System.nanoTime() - start) / 1e9;
    double decodeRate = 0;
    double span = 0;
    double prefill = 0;
    long all = 0;
    for (int lane = 0; lane < lanes; lane++) {
      decodeRate += perLane[lane].decodeTokensPerSecond;
      span += perLane[lane].meanSpan * perLane[lane].tokens;
      prefill += perLane[lane].prefillShare / lanes;
      all += perLane[lane].tokens;
    }
    return new Decode(
        all / seconds,
        decodeRate,
        prefill,
        span / Math.max(1, all),
        firstPass == null ? Double.NaN : firstPass.decodeTokensPerSecond,
        all);
  }

  /**
   * Starts {@code work} on a fresh thread set up like an engine thread: no autograd, one intra-op
   * thread. A fresh thread, because one that already ran 2-thread training ops keeps paying for its
   * thread team.
   */
  private static Thread startDecodeThread(String name, Runnable work) {
    Thread thread =
        new Thread(
            () -> {
              sail.server.model.GradMode.disable();
              sail.server.model.GradMode.setThreadsForThisThread(1);
              work.run();
            },
            name);
    thread.start();
    return thread;
  }

  private static void joinAll(List<Thread> threads) {
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  private static Decode timedPass(
      CausalLanguageModel model, Workload workload, int maxBatch, Decode firstPass) {
    long start = System.nanoTime();
    BatchGenerator.Timed timed =
        BatchGenerator.generateTimed(
            model, model.liveParameters(), 0, workload.prompts(), workload.params(), maxBatch);
    List<GenerationResult> results = timed.results();
    double seconds = (System.nanoTime() - start) / 1e9;
    long tokens = 0;
    double span = 0;
    for (GenerationResult r : results) {
      tokens += r.completionTokens();
      span += (r.promptTokens() + r.completionTokens() / 2.0) * r.completionTokens();
    }
    return new Decode(
        tokens / seconds,
        timed.stepTokens() / (timed.stepNanos() / 1e9),
        timed.admitNanos() / (double) (timed.admitNanos() + timed.stepNanos()),
        span / Math.max(1, tokens),
        firstPass == null ? Double.NaN : firstPass.decodeTokensPerSecond,
        tokens);
  }

  private static void trainStep(
      CausalLanguageModel model,
      LanguageModelingBatches.Batch batch,
      PairList<String, Parameter> parameters,
      AdamW optimizer) {
    OptimizerStep.run(
        () -> LanguageModelingBatches.loss(model, batch, true), parameters, optimizer, 1.0, 1e-5f);
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
