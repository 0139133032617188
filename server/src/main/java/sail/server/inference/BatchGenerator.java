package sail.server.inference;

import ai.djl.training.ParameterStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import sail.server.model.CausalLanguageModel;

/**
 * Generates replies for a fixed list of prompts on the calling thread, refilling freed slots from
 * the list (continuous batching without a queue). Used by training rollouts, evaluation and the
 * benchmarks; the serving engine drives {@link DecodeBatch} itself.
 */
public final class BatchGenerator {
  private BatchGenerator() {}

  /**
   * @param prompts prompt ids, one per reply
   * @param params sampling parameters, one per prompt
   * @param maxBatch most sequences decoded at once
   * @return results in the order of {@code prompts}
   */
  public static List<GenerationResult> generate(
      CausalLanguageModel model,
      ParameterStore weights,
      long modelVersion,
      List<int[]> prompts,
      List<SamplingParams> params,
      int maxBatch) {
    return generateTimed(model, weights, modelVersion, prompts, params, maxBatch).results();
  }

  /**
   * Results plus where the time went.
   *
   * @param results one per prompt, in order
   * @param stepNanos time in decode steps
   * @param stepTokens tokens sampled by decode steps
   * @param admitNanos time admitting (prefill)
   */
  public record Timed(
      List<GenerationResult> results, long stepNanos, long stepTokens, long admitNanos) {}

  /** As {@link #generate}, also reporting decode-step and prefill time. */
  public static Timed generateTimed(
      CausalLanguageModel model,
      ParameterStore weights,
      long modelVersion,
      List<int[]> prompts,
      List<SamplingParams> params,
      int maxBatch) {
    if (prompts.size() != params.size()) {
      throw new IllegalArgumentException("one SamplingParams per prompt is required");
    }
    GenerationResult[] results = new GenerationResult[prompts.size()];
    Deque<DecodeSequence> waiting = new ArrayDeque<>();
    for (int i = 0; i < prompts.size(); i++) {
      waiting.add(new DecodeSequence(prompts.get(i), params.get(i), model.tokenizer(), null, i));
    }
    int rows = Math.max(1, Math.min(maxBatch, prompts.size()));
    try (DecodeBatch batch = new DecodeBatch(model, weights, modelVersion, rows)) {
      while (!waiting.isEmpty() || !batch.isEmpty()) {
        List<DecodeSequence> joining = new ArrayList<>();
        while (!waiting.isEmpty()) {
          int free = maxBatch - batch.size() - joining.size();
          int take = admissible(waiting, free, maxBatch);
          if (take == 0) {
            break;
          }
          for (int i = 0; i < take; i++) {
            joining.add(waiting.poll());
          }
        }
        collect(batch.admit(joining), results);
        collect(batch.step(), results);
      }
      return new Timed(List.of(results), batch.stepNanos(), batch.stepTokens(), batch.admitNanos());
    }
  }

  /**
   * How many of the waiting sequences at the head join now: the head's whole run of sequences with
   * the same prompt (the replies a rollout samples per prompt are adjacent), or none while it does
   * not fit in the {@code free} rows. A prompt's copies that join together share one prefill
   * ({@link Prefill#run}); refilling single rows as they free ran it once per copy (a guard sample,
   * 48 prompts twice in 32 rows: admission 1.7 s before, 1.4–1.6 s after, in a probe on one machine
   * in one hour). Only a run longer than the whole batch is split.
   */
  static int admissible(Deque<DecodeSequence> waiting, int free, int maxBatch) {
    if (free <= 0 || waiting.isEmpty()) {
      return 0;
    }
    int[] head = waiting.peek().prompt;
    int run = 0;
    for (DecodeSequence sequence : waiting) {
      if (run > 0 && !Arrays.equals(sequence.prompt, head)) {
        break;
      }
      run++;
    }
    if (run > maxBatch) {
      return Math.min(run, free);
    }
    return run <= free ? run : 0;
  }

  private static void collect(List<DecodeSequence> finished, GenerationResult[] results) {
    for (DecodeSequence sequence : finished) {
      results[(Integer) sequence.tag()] = sequence.result();
    }
  }
}
