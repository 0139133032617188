package sail.server.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import sail.server.model.SequenceScorer;
import sail.server.model.Tokenizer;
import sail.server.task.DialogueTurn;
import sail.server.training.mixture.Seeds;

/**
 * The novels' own dialogue turns, which the policy keeps fitting while it learns its users'
 * preferences: each step adds λ · mean NLL per token of a few people-written replies to the loss.
 *
 * <p>Why: every preference signal the server sees is a choice between the policy's own replies, and
 * the NLL anchor on chosen replies fits those too; nothing in the loss holds on to the language the
 * base model learnt from people. Language-model loss on the pre-training distribution during
 * preference training is the "pretraining mix" of Ouyang et al., 2022 (InstructGPT, PPO-ptx); here
 * the data is the chat fine-tuning set the base model was trained on, which holds no label of any
 * user's preference.
 *
 * <p>Turns are encoded once as a served request would be (ChatEncoding); a prompt longer than
 * {@link #MAX_PROMPT_TOKENS} is skipped and a reply is cut at {@link #MAX_REPLY_TOKENS} (then
 * scored without the end-of-turn token it did not reach). Which turns a step draws depends only on
 * the seed and the step.
 *
 * <p>Measured (docs/experiment.md, "β and the dialogue anchor"): over 150 steps on people's labels
 * at λ 0, 1 and 4 the hidden score rose alike while the KL to the reference fell from 2.5 to 1.8
 * and 1.4 nats; the distinct-word ratio narrowed alike (6–8%); the steps took about 30% longer. So
 * it is off by default ({@code training.dialogue_anchor}).
 */
public final class DialogueAnchor {
  /** Dialogue turns per step. */
  public static final int ROWS = 8;

  /** Longest prompt, in tokens, a turn may have to be used. */
  static final int MAX_PROMPT_TOKENS = 128;

  /** Reply tokens scored per turn: about the length of a served reply (48–64 tokens). */
  static final int MAX_REPLY_TOKENS = 64;

  private final List<SequenceScorer.Example> examples;

  private DialogueAnchor(List<SequenceScorer.Example> examples) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("no dialogue turn has a prompt that fits the anchor");
    }
    this.examples = List.copyOf(examples);
  }

  /** The anchor over {@code turns}, encoded with {@code tokenizer}. */
  public static DialogueAnchor of(List<DialogueTurn> turns, Tokenizer tokenizer) {
    List<SequenceScorer.Example> examples = new ArrayList<>();
    for (DialogueTurn turn : turns) {
      int[] prompt = ChatEncoding.prompt(tokenizer, turn.user());
      if (prompt.length > MAX_PROMPT_TOKENS || turn.assistant().isBlank()) {
        continue;
      }
      int[] whole = tokenizer.encodeReply(turn.assistant());
      int[] reply =
          whole.length <= MAX_REPLY_TOKENS
              ? whole
              // cut within the text (the end-of-turn token is last): score what the model would
              // have emitted so far, no end-of-turn
              : Arrays.copyOf(whole, MAX_REPLY_TOKENS);
      examples.add(new SequenceScorer.Example(prompt, reply));
    }
    return new DialogueAnchor(examples);
  }

  /** How many turns the anchor draws from. */
  public int size() {
    return examples.size();
  }

  /** The {@code rows} turns of step {@code step}: drawn with replacement, seeded. */
  public List<SequenceScorer.Example> draw(long seed, long step, int rows) {
    SplittableRandom random = new SplittableRandom(Seeds.mix(seed ^ 0x5F7D1A10C0DEL, step));
    List<SequenceScorer.Example> drawn = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      drawn.add(examples.get(random.nextInt(examples.size())));
    }
    return drawn;
  }
}
