package sail.server.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromptSetsTest {

  private static List<Prompt> syntheticPrompts(int count) {
    List<Prompt> prompts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      prompts.add(new Prompt("Tell me about the ball number " + i + ", please.", "test"));
    }
    return prompts;
  }

  @Test
  void splitIsDeterministicDisjointAndAboutOneFifthHeldOut() {
    List<Prompt> prompts = syntheticPrompts(5000);
    List<Prompt> shuffled = new ArrayList<>(prompts);
    Collections.shuffle(shuffled, new java.util.Random(7));

    PromptSets.Split split = PromptSets.split(prompts);
    PromptSets.Split again = PromptSets.split(shuffled);

    assertEquals(Set.copyOf(split.heldOut()), Set.copyOf(again.heldOut()), "order must not matter");
    Set<Prompt> overlap = new HashSet<>(split.train());
    overlap.retainAll(split.heldOut());
    assertTrue(overlap.isEmpty());
    assertEquals(5000, split.train().size() + split.heldOut().size());
    double share = split.heldOut().size() / 5000.0;
    assertTrue(share > 0.18 && share < 0.22, "held-out share " + share);
  }

  @Test
  void duplicatesDifferingOnlyInCaseAndSpacesAreKeptOnce() {
    List<Prompt> prompts =
        List.of(
            new Prompt("How do you do?", "a"),
            new Prompt("how  do you DO?", "b"),
            new Prompt("Good morning.", "a"));

    PromptSets.Split split = PromptSets.split(prompts);

    List<Prompt> all = new ArrayList<>(split.train());
    all.addAll(split.heldOut());
    assertEquals(2, all.size());
    assertTrue(all.contains(new Prompt("How do you do?", "a")));
  }

  @Test
  void openingsAreThreeToEightWordsAndReproducible() {
    String sentence = "The food was really great and the service was friendly and quick.";
    String opening = PromptSets.opening(sentence);

    int words = opening.split(" ").length;
    assertTrue(words >= 3 && words <= 8, opening);
    assertTrue(sentence.startsWith(opening));
    assertEquals(opening, PromptSets.opening(sentence));
    assertEquals("", PromptSets.opening("Exceptionally bad!"));
  }

  @Test
  void committedPromptFilesAreDisjointAndHoldEnoughForEvaluation() {
    List<Prompt> train = PromptSets.loadTrain();
    List<Prompt> heldOut = PromptSets.loadHeldOut();

    assertTrue(heldOut.size() >= 400, "held-out prompts: " + heldOut.size());
    Set<String> trainTexts = new HashSet<>();
    train.forEach(p -> trainTexts.add(PromptSets.normalise(p.prompt())));
    heldOut.forEach(p -> assertTrue(!trainTexts.contains(PromptSets.normalise(p.prompt()))));
    heldOut.forEach(p -> assertTrue(PromptSets.isHeldOut(p.prompt()), p.prompt()));
  }
}
