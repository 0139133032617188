package sail.server.model;

/**
 * Shape of the decoder-only transformer. Immutable; validated on construction.
 *
 * @param vocabSize number of token ids (the tokenizer's)
 * @param contextLength maximum tokens of prompt + reply (learned position embeddings)
 * @param layers number of transformer blocks
 * @param width model (residual stream) width
 * @param heads attention heads; {@code width} must be divisible by it
 * @param mlpWidth hidden width of each block's MLP (4 × width in GPT-2)
 */
public record GptConfig(
    int vocabSize, int contextLength, int layers, int width, int heads, int mlpWidth) {

  public static final String ARCHITECTURE = "gpt";

  public GptConfig {
    require(vocabSize > 0, "vocabSize must be positive, got " + vocabSize);
    require(contextLength > 1, "contextLength must be > 1, got " + contextLength);
    require(layers > 0, "layers must be positive, got " + layers);
    require(width > 0 && heads > 0, "width and heads must be positive");
    require(width % heads == 0, "width " + width + " is not divisible by heads " + heads);
    require(mlpWidth > 0, "mlpWidth must be positive, got " + mlpWidth);
  }

  /** The embedded default: about 4.9M parameters, context 256, byte-level vocabulary. */
  public static GptConfig defaults() {
    return new GptConfig(ByteTokenizer.VOCAB_SIZE, 256, 6, 256, 8, 1024);
  }

  public int headWidth() {
    return width / heads;
  }

  /** Trainable parameters: embeddings (head tied to tokens), 6 matrices per block, norms. */
  public long parameterCount() {
    long embeddings = (long) vocabSize * width + (long) contextLength * width;
    long attention = (long) width * 3 * width + 3L * width + (long) width * width + width;
    long mlp = (long) width * mlpWidth + mlpWidth + (long) mlpWidth * width + width;
    long norms = 2L * 2 * width;
    return embeddings + layers * (attention + mlp + norms) + 2L * width;
  }

  /**
   * Forward FLOPs per token at a given attention span, counting a multiply-add as 2 FLOPs: the
   * matrix multiplies of every block, attention scores and weighted sums, and the tied output head.
   */
  public double forwardFlopsPerToken(double attendedPositions) {
    double matmuls = 2.0 * layers * (4.0 * width * width + 2.0 * width * mlpWidth);
    double attention = 2.0 * layers * 2.0 * width * attendedPositions;
    double head = 2.0 * width * vocabSize;
    return matmuls + attention + head;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
