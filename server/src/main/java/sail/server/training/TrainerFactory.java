package sail.server.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sail.server.data.TrafficLog;
import sail.server.inference.EngineLoader;
import sail.server.inference.InferenceEngine;
import sail.server.model.Checkpoint;
import sail.server.model.GptLanguageModel;
import sail.server.model.WeightSnapshot;
import sail.server.registry.CheckpointStore;
import sail.server.registry.ModelRegistry;
import sail.server.registry.PublishedModel;
import sail.server.task.Prompt;
import sail.server.task.PromptSets;
import sail.server.training.mixture.FeedbackPairs;
import sail.server.training.mixture.MixtureSampler;
import sail.server.training.mixture.OfflinePairs;
import sail.server.training.mixture.PromptSource;
import sail.server.training.mixture.StalenessBound;
import sail.server.training.reference.ReferencePolicy;
import sail.server.training.reward.RewardExample;
import sail.server.training.reward.RewardLearner;
import sail.server.training.reward.RewardModel;
import sail.server.training.reward.TrainableReward;

/**
 * Builds the trainer of a running server: the served model's live parameters are the policy, the
 * version loaded at start is the reference, the shipped offline pairs and training prompts feed the
 * mixture, logged pairwise choices and 👍-vs-👎 pairs are the human-labelled rows, and (when asked
 * for) a reward model learns from people's ratings and choices to label fresh DPR samples.
 */
public final class TrainerFactory {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerFactory.class);

  /** The shipped offline preference pairs, next to the base model. */
  public static final Path EMBEDDED_PAIRS = Path.of("models", "offline-pairs.jsonl");

  private TrainerFactory() {}

  /**
   * @param engine the serving engine (its registry receives published versions)
   * @param log the traffic log (source of human-labelled pairs)
   * @param dataDirectory where checkpoints and published versions are kept
   * @param pairsFile offline pairs, or null for the shipped ones
   * @param rewardModelKind the kind of reward model trained on the logged feedback to label fresh
   *     DPR rows ({@code words} or {@code transformer}; only when the preset has DPR rows), or null
   *     for none
   * @param rewardLearnsOfflinePairs the reward model also trains on the offline pairs, when the
   *     policy does
   * @param ratingPairs DPR rows take 👍-vs-👎 pairs as well as pairwise choices
   */
  public static TrainingLoop create(
      InferenceEngine engine,
      TrafficLog log,
      Path dataDirectory,
      Path pairsFile,
      String rewardModelKind,
      boolean rewardLearnsOfflinePairs,
      boolean ratingPairs,
      TrainerSettings settings) {
    // a mixture with no offline or DDP rows uses no dataset, not even as a fallback
    boolean usesDataset =
        settings.objective().mixture().ddp() + settings.objective().mixture().offline() > 0;
    Path pairs = pairsFile != null ? pairsFile : embeddedPairs();
    if (usesDataset && !Files.isRegularFile(pairs)) {
      throw new IllegalArgumentException(
          "offline preference pairs "
              + pairs
              + " not found; build them with ./sail build-pairs, or serve with --no-train");
    }
    ModelRegistry registry = engine.registry();
    PublishedModel base = registry.acquire();
    ReferencePolicy reference;
    try {
      reference =
          new ReferencePolicy(
              registry.model(),
              base.weights(),
              base.version(),
              ReferencePolicy.Settings.defaults().withEntropy(settings.entropyFloor() > 0));
    } finally {
      base.weights().release();
    }
    OfflinePairs offline = usesDataset ? OfflinePairs.load(pairs) : OfflinePairs.NONE;
    List<String> prompts = PromptSets.loadTrain().stream().map(Prompt::prompt).toList();
    // the first held-out prompts (the novels' dialogue openers, like most of what evaluations
    // score); the last ones are all product-review openings, on which the guards judged another
    // kind of reply (docs/demo.md, run 37)
    List<String> guardPrompts = PromptSets.loadHeldOut().stream().map(Prompt::prompt).toList();
    List<RewardExample> rewardOffline =
        rewardLearnsOfflinePairs ? RewardExample.Comparison.of(offline.pairs()) : List.of();
    RewardLearner rewards =
        rewardModelKind != null && settings.objective().mixture().dpr() > 0
            ? rewardLearner(
                rewardModelKind, registry, reference, log, rewardOffline, settings.seed())
            : null;
    MixtureSampler sampler =
        new MixtureSampler(
            new MixtureSampler.Settings(
                settings.objective().mixture(),
                MixtureSampler.Settings.DEFAULT_FEEDBACK_SHARE,
                StalenessBound.DEFAULT,
                rewards != null, // without a reward model only people label DPR rows
                settings.seed()),
            offline,
            PromptSource.of(prompts),
            ratingPairs
                ? LoggedPreferences.of(log)
                : List.of(LoggedPreferences.choices(log), FeedbackPairs.NONE));
    SailTrainer trainer =
        new SailTrainer(
            registry.model(),
            registry,
            reference,
            sampler,
            rewards,
            guardPrompts,
            dataDirectory,
            settings);

    // continue where the last run stopped: training state, then the last published version
    boolean resumed = trainer.resume().isPresent();
    CheckpointStore versions = trainer.versions();
    versions
        .loadNewest(
            found ->
                found.number() <= registry.currentVersion()
                    ? null
                    : new PublishedModel(
                        found.number(),
                        WeightSnapshot.read(
                            found.directory().resolve(Checkpoint.WEIGHTS),
                            registry.model().block(),
                            registry.model().device()),
                        0))
        .ifPresent(
            found -> {
              if (!resumed) {
                found.weights().copyInto(registry.model().block());
              }
              registry.publish(found.version(), found.weights());
              LOG.info(
                  "serving published version {} from {}",
                  found.version(),
                  versions.pathOf(found.version()));
            });
    // a damaged version's number is never given to another set of weights
    registry.reserveThrough(versions.highestNumberUsed());
    return new TrainingLoop(trainer, registry, engine::queuedRequests);
  }

  /**
   * A reward model of {@code kind} ({@link TrainableReward#create}; a transformer's trunk starts as
   * a copy of the reference).
   */
  private static RewardLearner rewardLearner(
      String kind,
      ModelRegistry registry,
      ReferencePolicy reference,
      TrafficLog log,
      List<RewardExample> offline,
      long seed) {
    if (RewardModel.KIND.equals(kind) && !(registry.model() instanceof GptLanguageModel)) {
      LOG.warn(
          "no transformer reward model for a {} policy yet; DPR rows use people's labels only",
          registry.model().architecture());
      return null;
    }
    return new RewardLearner(
        TrainableReward.create(kind, registry.model(), reference.snapshot()),
        LoggedRewardLabels.of(log),
        offline,
        RewardLearner.Settings.of(kind, seed ^ 0x4E3L));
  }

  private static Path embeddedPairs() {
    return EngineLoader.embeddedDefault().getParent().resolve(EMBEDDED_PAIRS.getFileName());
  }
}
