package sail.server.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sail.server.inference.ChatMessage;

class ByteTokenizerTest {
  private final ByteTokenizer tokenizer = new ByteTokenizer();

  @Test
  void textRoundTripsIncludingMultiByteCharacters() {
    for (String text :
        List.of("", "Hello, Mr. Darcy!", "naïve café — 😀 日本語", "\u0000tab\tnew\n")) {
      assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
    }
  }

  @Test
  void randomBytesDecodeWithoutExceptionsAndStreamingAgrees() {
    SplittableRandom random = new SplittableRandom(7);
    for (int trial = 0; trial < 200; trial++) {
      int[] ids = new int[random.nextInt(40)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = random.nextInt(256);
      }
      String whole = tokenizer.decode(ids);
      Tokenizer.StreamDecoder stream = tokenizer.newStreamDecoder();
      StringBuilder streamed = new StringBuilder();
      for (int id : ids) {
        streamed.append(stream.push(id));
      }
      streamed.append(stream.finish());
      assertEquals(whole, streamed.toString(), "streamed deltas must concatenate to the text");
    }
  }

  @Test
  void validTextSurvivesBytesToTextToBytes() {
    String text = "Ünïcödé and ASCII";
    int[] ids = tokenizer.encode(text);
    assertArrayEquals(ids, tokenizer.encode(tokenizer.decode(ids)));
  }

  @Test
  void chatPromptLayout() {
    int[] prompt = tokenizer.encodeChatPrompt(List.of(ChatMessage.user("Hi")));
    assertArrayEquals(
        new int[] {
          ByteTokenizer.BOS,
          ByteTokenizer.USER,
          'H',
          'i',
          ByteTokenizer.EOT,
          ByteTokenizer.ASSISTANT
        },
        prompt);
    assertArrayEquals(new int[] {'o', 'k', ByteTokenizer.EOT}, tokenizer.encodeReply("ok"));
    assertEquals("Hi", tokenizer.decode(prompt), "special tokens are not text");
  }

  @Test
  void onlyBytesAndEndOfTurnAreSampleable() {
    assertTrue(tokenizer.isSampleable('a'));
    assertTrue(tokenizer.isSampleable(ByteTokenizer.EOT));
    assertFalse(tokenizer.isSampleable(ByteTokenizer.PAD));
    assertFalse(tokenizer.isSampleable(ByteTokenizer.USER));
    assertFalse(tokenizer.isSampleable(263));
  }
}
