package sail.server.training.reward;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import sail.server.training.mixture.LabelStream;

/** Feedback appended over time and read in id order, like one of the traffic log's streams. */
public final class InMemoryRewardLabels implements LabelStream<RewardLabel> {
  private static final String[] PROMPTS = {
    "How are you?", "Tell me about it.", "What now?", "Any news?", "Where were you?"
  };
  private static final String[] GOOD = {"a lovely day", "so kind", "wonderful news", "happy"};
  private static final String[] BAD = {"a dreadful day", "so rude", "terrible news", "sad"};

  private final List<RewardLabel> labels = new CopyOnWriteArrayList<>();
  private final String source;

  public InMemoryRewardLabels(String source) {
    this.source = source;
  }

  public void add(RewardExample example) {
    labels.add(new RewardLabel(source, labels.size() + 1, example));
  }

  public int size() {
    return labels.size();
  }

  @Override
  public List<RewardLabel> after(long afterId, int limit) {
    List<RewardLabel> out = new ArrayList<>();
    for (RewardLabel label : labels) {
      if (label.id() > afterId && out.size() < limit) {
        out.add(label);
      }
    }
    return out;
  }

  /**
   * People who like kind words: 👍 on kind replies and 👎 on unkind ones into {@code ratings}, and
   * kind-over-unkind choices into {@code choices}, on five prompts, {@code rounds} times.
   */
  public static void kindPeople(
      InMemoryRewardLabels ratings, InMemoryRewardLabels choices, int rounds) {
    for (int round = 0; round < rounds; round++) {
      for (String prompt : PROMPTS) {
        for (int i = 0; i < GOOD.length; i++) {
          ratings.add(new RewardExample.Rating(prompt, GOOD[i], true));
          ratings.add(new RewardExample.Rating(prompt, BAD[(i + round) % BAD.length], false));
          choices.add(new RewardExample.Comparison(prompt, GOOD[i], BAD[(i + 1) % BAD.length]));
        }
      }
    }
  }

  /**
   * People who cannot make up their minds: every reply rated 👍 and 👎 and every choice made both
   * ways, so there is nothing to learn.
   */
  public static void undecidedPeople(
      InMemoryRewardLabels ratings, InMemoryRewardLabels choices, int rounds) {
    for (int round = 0; round < rounds; round++) {
      for (String prompt : PROMPTS) {
        for (int i = 0; i < GOOD.length; i++) {
          for (boolean up : new boolean[] {true, false}) {
            ratings.add(new RewardExample.Rating(prompt, GOOD[i], up));
            ratings.add(new RewardExample.Rating(prompt, BAD[i], !up));
          }
          choices.add(new RewardExample.Comparison(prompt, GOOD[i], BAD[i]));
          choices.add(new RewardExample.Comparison(prompt, BAD[i], GOOD[i]));
        }
      }
    }
  }

  /**
   * People who rate almost everything 👎: one rating in 16 is 👍, whatever the reply, and every
   * choice is made both ways. The majority rating can be learnt; which reply is better cannot.
   */
  public static void mostlyDislikingPeople(
      InMemoryRewardLabels ratings, InMemoryRewardLabels choices, int rounds) {
    for (int round = 0; round < rounds; round++) {
      for (String prompt : PROMPTS) {
        for (int i = 0; i < GOOD.length; i++) {
          for (String reply : new String[] {GOOD[i], BAD[i]}) {
            for (int twice = 0; twice < 2; twice++) {
              ratings.add(new RewardExample.Rating(prompt, reply, ratings.size() % 16 == 0));
            }
          }
          choices.add(new RewardExample.Comparison(prompt, GOOD[i], BAD[i]));
          choices.add(new RewardExample.Comparison(prompt, BAD[i], GOOD[i]));
        }
      }
    }
  }

  /** A words reward model, measured every step. */
  public static RewardLearner wordLearner(
      InMemoryRewardLabels ratings, InMemoryRewardLabels choices) {
    return new RewardLearner(
        WordRewardModel.create(),
        List.of(ratings, choices),
        new RewardLearner.Settings(64, 0.05, 1.0, 2048, 4, 16, 1, 256, 0.6, 16, 0, 7));
  }

  /** A tiny reward model from a fixed seed, with settings that let it learn in a few steps. */
  public static RewardLearner tinyLearner(
      InMemoryRewardLabels ratings, InMemoryRewardLabels choices) {
    return tinyLearner(ratings, choices, 0);
  }

  /** {@link #tinyLearner}, backing off by up to {@code maxBackOff} policy steps. */
  public static RewardLearner tinyLearner(
      InMemoryRewardLabels ratings, InMemoryRewardLabels choices, int maxBackOff) {
    ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(20240601);
    RewardModel model =
        RewardModel.create(
            sail.server.model.TinyModels.config(),
            new sail.server.model.ByteTokenizer(),
            ai.djl.Device.cpu());
    // a tiny model from scratch needs a larger step than the default's 5e-5 on a trained trunk
    RewardLearner.Settings settings =
        new RewardLearner.Settings(8, 1e-2, 1.0, 2048, 4, 16, 5, 256, 0.5, 16, maxBackOff, 7);
    return new RewardLearner(model, List.of(ratings, choices), settings);
  }
}
