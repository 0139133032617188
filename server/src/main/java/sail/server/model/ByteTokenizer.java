package sail.server.model;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sail.server.inference.ChatMessage;

/**
 * Byte-level tokenizer: ids 0–255 are the UTF-8 bytes of the text, followed by a few special
 * tokens. Any string round-trips exactly; any id sequence decodes without exceptions.
 *
 * <p>Chat format: {@code <bos>} then, per message, a role marker, the message bytes and {@code
 * <eot>}; a prompt ends with {@code <assistant>}, and the model's reply ends with {@code <eot>}.
 */
public final class ByteTokenizer implements Tokenizer {

  public static final int PAD = 256;
  public static final int BOS = 257;
  public static final int EOT = 258;
  public static final int SYSTEM = 259;
  public static final int USER = 260;
  public static final int ASSISTANT = 261;

  /** Rounded up from 262 to a multiple of 8, which keeps the output matmul aligned. */
  public static final int VOCAB_SIZE = 264;

  public static final String TYPE = "byte-level";

  @Override
  public int vocabSize() {
    return VOCAB_SIZE;
  }

  @Override
  public int padId() {
    return PAD;
  }

  @Override
  public int endOfTurnId() {
    return EOT;
  }

  @Override
  public int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xFF;
    }
    return ids;
  }

  @Override
  public String decode(int[] ids) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length);
    for (int id : ids) {
      if (id >= 0 && id < 256) {
        bytes.write(id);
      }
    }
    return lenientUtf8(bytes.toByteArray());
  }

  @Override
  public int[] encodeChatPrompt(List<ChatMessage> messages) {
    IntList out = new IntList(64);
    out.add(BOS);
    for (ChatMessage message : messages) {
      out.add(roleId(message.role()));
      out.addAll(encode(message.content()));
      out.add(EOT);
    }
    out.add(ASSISTANT);
    return out.toArray();
  }

  @Override
  public int[] encodeReply(String reply) {
    int[] text = encode(reply);
    int[] ids = new int[text.length + 1];
    System.arraycopy(text, 0, ids, 0, text.length);
    ids[text.length] = EOT;
    return ids;
  }

  @Override
  public boolean isSampleable(int id) {
    return (id >= 0 && id < 256) || id == EOT;
  }

  @Override
  public StreamDecoder newStreamDecoder() {
    return new Utf8StreamDecoder();
  }

  @Override
  public TokenizerSpec spec() {
    Map<String, Integer> specials = new LinkedHashMap<>();
    specials.put("pad", PAD);
    specials.put("bos", BOS);
    specials.put("eot", EOT);
    specials.put("system", SYSTEM);
    specials.put("user", USER);
    specials.put("assistant", ASSISTANT);
    return new TokenizerSpec(TYPE, VOCAB_SIZE, specials);
  }

  private static int roleId(ChatMessage.Role role) {
    return switch (role) {
      case SYSTEM -> SYSTEM;
      case USER -> USER;
      case ASSISTANT -> ASSISTANT;
    };
  }

  static String lenientUtf8(byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      return decoder.decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("a replacing decoder cannot fail", e);
    }
  }

  /**
   * Buffers the bytes of an incomplete UTF-8 character and emits text once it is complete, so that
   * streamed deltas concatenate to exactly the final text.
   */
  private static final class Utf8StreamDecoder implements StreamDecoder {
    private final CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer pending = ByteBuffer.allocate(8);
    private final CharBuffer chars = CharBuffer.allocate(16);

    @Override
    public String push(int id) {
      if (id < 0 || id >= 256) {
        return "";
      }
      pending.put((byte) id);
      pending.flip();
      chars.clear();
      decoder.decode(pending, chars, false);
      pending.compact();
      chars.flip();
      return chars.toString();
    }

    @Override
    public String finish() {
      pending.flip();
      chars.clear();
      decoder.decode(pending, chars, true);
      decoder.flush(chars);
      pending.clear();
      decoder.reset();
      chars.flip();
      return chars.toString();
    }
  }
}
