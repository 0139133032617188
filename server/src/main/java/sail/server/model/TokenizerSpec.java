package sail.server.model;

import java.util.Map;

/**
 * What a checkpoint records about its tokenizer, so that a checkpoint is never loaded with a
 * tokenizer it was not trained with.
 *
 * @param type tokenizer family, e.g. {@code byte-level}
 * @param vocabSize number of ids
 * @param specialTokens name to id of every special token
 */
public record TokenizerSpec(String type, int vocabSize, Map<String, Integer> specialTokens) {
  public TokenizerSpec {
    specialTokens = Map.copyOf(specialTokens);
  }
}
