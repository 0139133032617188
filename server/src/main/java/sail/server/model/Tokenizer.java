package sail.server.model;

import java.util.List;
import sail.server.inference.ChatMessage;

/**
 * Maps text to token ids and back, and lays out a conversation in the model's chat format.
 *
 * <p>Serving and training only see this interface, so a second model family (e.g. a Hugging Face
 * tokenizer loaded with DJL's tokenizers module) plugs in without touching them.
 */
public interface Tokenizer {

  /** Number of token ids, including special tokens. */
  int vocabSize();

  /** Id of the padding token (never sampled, masked out of every loss). */
  int padId();

  /** Id of the token that ends an assistant turn; generation stops when it is sampled. */
  int endOfTurnId();

  /** Plain text to ids, without any special tokens. */
  int[] encode(String text);

  /** Ids to text. Special tokens are dropped; invalid byte sequences become U+FFFD, never throw. */
  String decode(int[] ids);

  /**
   * The prompt of a conversation: every message, then the marker that opens the assistant's turn,
   * so that the model's continuation is the reply.
   */
  int[] encodeChatPrompt(List<ChatMessage> messages);

  /** A reply as the model emits it: the reply text followed by the end-of-turn token. */
  int[] encodeReply(String reply);

  /** Whether the sampler may emit this id (special tokens other than end-of-turn are excluded). */
  boolean isSampleable(int id);

  /** A streaming decoder that emits text only at character boundaries. */
  StreamDecoder newStreamDecoder();

  /** Serialisable description stored in checkpoints ({@code tokenizer.json}). */
  TokenizerSpec spec();

  /** Incremental decoding of generated ids. */
  interface StreamDecoder {
    /** Feeds one id; returns the text that became complete (possibly empty). */
    String push(int id);

    /** Flushes whatever is pending (an incomplete character becomes U+FFFD). */
    String finish();
  }
}
