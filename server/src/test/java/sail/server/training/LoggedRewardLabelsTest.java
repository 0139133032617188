package sail.server.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.data.Feedback;
import sail.server.data.GenerationIds;
import sail.server.data.Preference;
import sail.server.data.Rating;
import sail.server.data.TrafficLog;
import sail.server.data.Turn;
import sail.server.testing.LoggedReplies;
import sail.server.training.reward.RewardExample;
import sail.server.training.reward.RewardLabel;

class LoggedRewardLabelsTest {
  @TempDir Path dir;

  @Test
  void everyRatingAndChoiceOfASingleTurnPromptBecomesAnExample() throws Exception {
    String liked = GenerationIds.next();
    String disliked = GenerationIds.next();
    String chat = GenerationIds.next();
    List<Turn> question = List.of(new Turn("user", "How are you?"));
    try (TrafficLog log = TrafficLog.open(dir)) {
      log.append(LoggedReplies.reply(liked, question, "Very well, thank you."));
      log.append(LoggedReplies.reply(disliked, question, "Go away."));
      log.append(
          LoggedReplies.reply(
              chat,
              List.of(
                  new Turn("user", "Hi"), new Turn("assistant", "Hello"), new Turn("user", "?")),
              "Yes."));
      log.recordFeedback(new Feedback(chat, "a", Rating.UP, "")).get(); // multi-turn: skipped
      log.recordFeedback(new Feedback(liked, "a", Rating.UP, "")).get();
      log.recordFeedback(new Feedback(disliked, "b", Rating.DOWN, "")).get();
      log.recordPreference(new Preference(liked, disliked, "c")).get();

      List<RewardLabel> ratings = LoggedRewardLabels.ratings(log).after(0, 10);
      assertEquals(
          List.of(
              new RewardLabel(
                  "rating",
                  2,
                  new RewardExample.Rating("How are you?", "Very well, thank you.", true)),
              new RewardLabel(
                  "rating", 3, new RewardExample.Rating("How are you?", "Go away.", false))),
          ratings);
      // a reader whose window holds only the skipped rating still moves on
      assertEquals(2, LoggedRewardLabels.ratings(log).after(0, 1).get(0).id());
      assertEquals(List.of(), LoggedRewardLabels.ratings(log).after(3, 10));

      assertEquals(
          List.of(
              new RewardLabel(
                  "choice",
                  1,
                  new RewardExample.Comparison(
                      "How are you?", "Very well, thank you.", "Go away."))),
          LoggedRewardLabels.choices(log).after(0, 10));
    }
  }
}
