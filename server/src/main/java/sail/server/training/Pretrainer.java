package sail.server.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import sail.server.inference.ChatMessage;
import sail.server.model.CausalLanguageModel;
import sail.server.model.GradMode;
import sail.server.model.SequenceScorer;
import sail.server.model.Tokenizer;

/**
 * Builds the embedded base model in two phases: next-byte pre-training on plain text, then
 * supervised fine-tuning on (user turn → assistant reply) pairs in the chat format, with the loss
 * on reply tokens only. One visible loop per phase; progress goes to a callback.
 */
public final class Pretrainer {
  /**
   * @param pretrainSteps optimiser steps on plain text
   * @param pretrainBatch windows per step
   * @param window bytes per window (≤ context length)
   * @param pretrainPeakLr peak learning rate of pre-training
   * @param sftSteps optimiser steps on chat pairs
   * @param sftBatch pairs per step
   * @param sftPeakLr peak learning rate of fine-tuning
   * @param sftTextMix share of fine-tuning steps that are plain-text steps (keeps fluency)
   * @param clipNorm global gradient-norm clip
   * @param seed seeds data order and initialisation-independent sampling
   * @param evalEvery steps between validation evaluations
   * @param pretrainSeconds when > 0, pre-training runs for this wall time instead of its steps
   * @param sftSeconds when > 0, fine-tuning runs for this wall time instead of its steps
   */
  public record Settings(
      int pretrainSteps,
      int pretrainBatch,
      int window,
      double pretrainPeakLr,
      int sftSteps,
      int sftBatch,
      double sftPeakLr,
      double sftTextMix,
      double clipNorm,
      long seed,
      int evalEvery,
      double pretrainSeconds,
      double sftSeconds) {}

  /**
   * How far a phase has progressed: by steps, or — when a wall-clock budget is set — by elapsed
   * time, so that a run on a busy machine still ends on time with a fully decayed learning rate.
   */
  private record PhaseClock(int steps, double seconds, long startNanos) {
    static PhaseClock start(int steps, double seconds) {
      return new PhaseClock(steps, seconds, System.nanoTime());
    }

    double progress(int step) {
      if (seconds > 0) {
        return Math.min(1.0, (System.nanoTime() - startNanos) / 1e9 / seconds);
      }
      return Math.min(1.0, step / (double) Math.max(1, steps));
    }

    boolean done(int step) {
      return seconds > 0 ? progress(step) >= 1.0 : step >= steps;
    }
  }

  /** One logged point of the loss curve. */
  public record Progress(
      String phase,
      int step,
      double trainLoss,
      double validationLoss,
      double learningRate,
      double tokensPerSecond) {}

  private final CausalLanguageModel model;
  private final Settings settings;
  private final Consumer<Progress> progress;
  private final List<Progress> curve = new ArrayList<>();

  public Pretrainer(CausalLanguageModel model, Settings settings, Consumer<Progress> progress) {
    this.model = model;
    this.settings = settings;
    this.progress = progress;
  }

  /** The loss curve so far. */
  public List<Progress> curve() {
    return List.copyOf(curve);
  }

  /**
   * Runs both phases.
   *
   * @param trainText documents for pre-training
   * @param validationText held-out documents (validation loss, nats per byte)
   * @param chatPairs (user, reply) pairs for fine-tuning
   * @param validationPairs held-out pairs (validation loss on reply tokens)
   * @return a training summary for the checkpoint metadata
   */
  public Map<String, Object> run(
      List<String> trainText,
      List<String> validationText,
      List<String[]> chatPairs,
      List<String[]> validationPairs) {
    LanguageModelingBatches text = new LanguageModelingBatches(trainText);
    LanguageModelingBatches heldOutText = new LanguageModelingBatches(validationText);
    SplittableRandom random = new SplittableRandom(settings.seed());
    PairList<String, Parameter> parameters = model.block().getParameters();
    long started = System.nanoTime();
    int[] stepsRun = new int[2];
    try (AdamW optimizer = new AdamW(AdamW.Settings.defaults(), model.manager())) {
      // phase 1: next-byte prediction on plain text
      LearningRateSchedule pretrainLr =
          new LearningRateSchedule(settings.pretrainPeakLr(), settings.pretrainPeakLr() / 10, 0.05);
      PhaseClock pretrainClock =
          PhaseClock.start(settings.pretrainSteps(), settings.pretrainSeconds());
      LossWindow window = new LossWindow();
      int pretrainDone = 0;
      for (int step = 0; !pretrainClock.done(step); step++) {
        LanguageModelingBatches.Batch batch =
            text.next(settings.pretrainBatch(), settings.window(), random);
        float lr = pretrainLr.at(pretrainClock.progress(step));
        pretrainDone = step + 1;
        window.add(textStep(batch, parameters, optimizer, lr), batch.batch() * batch.time());
        if ((step + 1) % settings.evalEvery() == 0 || pretrainClock.done(step + 1)) {
          record(window.close("pretrain", step + 1, lr, () -> textValidationLoss(heldOutText)));
        }
      }

      stepsRun[0] = pretrainDone;

      // phase 2: chat fine-tuning, loss on the reply only, with some plain-text steps mixed in
      Tokenizer tokenizer = model.tokenizer();
      LearningRateSchedule sftLr =
          new LearningRateSchedule(settings.sftPeakLr(), settings.sftPeakLr() / 10, 0.05);
      PhaseClock sftClock = PhaseClock.start(settings.sftSteps(), settings.sftSeconds());
      window = new LossWindow();
      int sftDone = 0;
      for (int step = 0; !sftClock.done(step); step++) {
        float lr = sftLr.at(sftClock.progress(step));
        sftDone = step + 1;
        if (random.nextDouble() < settings.sftTextMix()) {
          textStep(
              text.next(settings.pretrainBatch(), settings.window(), random),
              parameters,
              optimizer,
              lr);
          continue;
        }
        List<SequenceScorer.Example> examples = new ArrayList<>();
        for (int i = 0; i < settings.sftBatch(); i++) {
          String[] pair = chatPairs.get(random.nextInt(chatPairs.size()));
          examples.add(chatExample(tokenizer, pair));
        }
        SequenceScorer.Collated batch =
            SequenceScorer.collate(examples, model.contextLength(), tokenizer.padId());
        window.add(replyStep(batch, parameters, optimizer, lr), batch.batch() * batch.time());
        if ((step + 1) % settings.evalEvery() == 0 || sftClock.done(step + 1)) {
          record(window.close("sft", step + 1, lr, () -> replyValidationLoss(validationPairs)));
        }
      }
      stepsRun[1] = sftDone;
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    int pretrainDoneTotal = stepsRun[0];
    int sftDoneTotal = stepsRun[1];
    summary.put("settings", settings);
    summary.put("pretrain_steps_run", pretrainDoneTotal);
    summary.put("sft_steps_run", sftDoneTotal);
    summary.put("train_documents", trainText.size());
    summary.put("train_bytes", text.size());
    summary.put("chat_pairs", chatPairs.size());
    summary.put("wall_seconds", (System.nanoTime() - started) / 1e9);
    summary.put("final_text_validation_nats_per_byte", textValidationLoss(heldOutText));
    summary.put("final_reply_validation_nats_per_token", replyValidationLoss(validationPairs));
    summary.put("curve", curve());
    return summary;
  }

  /** A (user, reply) pair in the chat format. */
  public static SequenceScorer.Example chatExample(Tokenizer tokenizer, String[] pair) {
    return new SequenceScorer.Example(
        tokenizer.encodeChatPrompt(List.of(ChatMessage.user(pair[0]))),
        tokenizer.encodeReply(pair[1]));
  }

  /** Mean training loss and throughput since the last logged point. */
  private static final class LossWindow {
    private long start = System.nanoTime();
    private long tokens;
    private double loss;
    private int steps;

    void add(double stepLoss, long stepTokens) {
      loss += stepLoss;
      tokens += stepTokens;
      steps++;
    }

    /** The point for this window; validation runs outside the timed span. */
    Progress close(
        String phase, int step, double lr, java.util.function.DoubleSupplier validationLoss) {
      double seconds = (System.nanoTime() - start) / 1e9;
      Progress point =
          new Progress(
              phase,
              step,
              loss / Math.max(1, steps),
              validationLoss.getAsDouble(),
              lr,
              tokens / seconds);
      start = System.nanoTime();
      tokens = 0;
      loss = 0;
      steps = 0;
      return point;
    }
  }

  private void record(Progress point) {
    curve.add(point);
    progress.accept(point);
  }

  /** One optimiser step of mean next-byte cross-entropy; returns the loss. */
  private double textStep(
      LanguageModelingBatches.Batch batch,
      PairList<String, Parameter> parameters,
      AdamW optimizer,
      float lr) {
    return OptimizerStep.run(
        () -> LanguageModelingBatches.loss(model, batch, true),
        parameters,
        optimizer,
        settings.clipNorm(),
        lr);
  }

  /** One optimiser step of reply-only cross-entropy; returns the loss per reply token. */
  private double replyStep(
      SequenceScorer.Collated batch,
      PairList<String, Parameter> parameters,
      AdamW optimizer,
      float lr) {
    return OptimizerStep.run(
        () -> replyLoss(batch, true), parameters, optimizer, settings.clipNorm(), lr);
  }

  private NDArray replyLoss(SequenceScorer.Collated batch, boolean training) {
    NDArray tokenLogProbs =
        SequenceScorer.tokenLogProbs(model, model.liveParameters(), batch, training);
    int scored = 0;
    for (int n : batch.responseTokens()) {
      scored += n;
    }
    return tokenLogProbs.sum().div(-Math.max(1, scored));
  }

  /** Mean next-byte loss on fixed held-out windows (nats per byte). */
  public double textValidationLoss(LanguageModelingBatches heldOut) {
    SplittableRandom fixed = new SplittableRandom(12345);
    double total = 0;
    int batches = 8;
    boolean grad = GradMode.disable();
    try {
      for (int i = 0; i < batches; i++) {
        try (NDScope ignored = new NDScope()) {
          total +=
              LanguageModelingBatches.loss(model, heldOut.next(8, settings.window(), fixed), false)
                  .getFloat();
        }
      }
    } finally {
      GradMode.restore(grad);
    }
    return total / batches;
  }

  /** Reply-token loss on held-out chat pairs (nats per token). */
  public double replyValidationLoss(List<String[]> pairs) {
    if (pairs.isEmpty()) {
      return Double.NaN;
    }
    boolean grad = GradMode.disable();
    double total = 0;
    int tokens = 0;
    try {
      for (int start = 0; start < pairs.size(); start += 32) {
        List<SequenceScorer.Example> examples = new ArrayList<>();
        for (String[] pair : pairs.subList(start, Math.min(pairs.size(), start + 32))) {
          examples.add(chatExample(model.tokenizer(), pair));
        }
        SequenceScorer.Collated batch =
            SequenceScorer.collate(examples, model.contextLength(), model.tokenizer().padId());
        try (NDScope ignored = new NDScope()) {
          total -=
              SequenceScorer.tokenLogProbs(model, model.liveParameters(), batch, false)
                  .sum()
                  .getFloat();
        }
        for (int n : batch.responseTokens()) {
          tokens += n;
        }
      }
    } finally {
      GradMode.restore(grad);
    }
    return total / Math.max(1, tokens);
  }
}
