package sail.server.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GptBlockTest {
  private static GptLanguageModel model;

  @BeforeAll
  static void createModel() {
    model = TinyModels.create();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void parameterCountMatchesTheBlock() {
    long actual = 0;
    for (var entry : model.block().getParameters()) {
      actual += entry.getValue().getArray().size();
    }
    assertEquals(model.parameterCount(), actual);
    assertEquals(4_872_192, GptConfig.defaults().parameterCount(), "default ≈ 5M parameters");
  }

  @Test
  void logitsHaveBatchTimeVocabShape() {
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      NDArray tokens = model.manager().zeros(new Shape(3, 7), ai.djl.ndarray.types.DataType.INT64);
      NDArray logits = model.logits(model.liveParameters(), tokens, false);
      assertEquals(new Shape(3, 7, ByteTokenizer.VOCAB_SIZE), logits.getShape());
    } finally {
      GradMode.restore(grad);
    }
  }

  @Test
  void causalMaskHidesTheFuture() {
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      NDManager m = model.manager();
      NDArray a = m.create(new long[] {5, 6, 7, 8, 9, 10}, new Shape(1, 6));
      NDArray b = m.create(new long[] {5, 6, 7, 99, 98, 97}, new Shape(1, 6));
      NDArray la = model.logits(model.liveParameters(), a, false).get(new NDIndex(":, :3, :"));
      NDArray lb = model.logits(model.liveParameters(), b, false).get(new NDIndex(":, :3, :"));
      assertTrue(la.sub(lb).abs().max().getFloat() < 1e-5, "positions 0-2 ignore later tokens");
    } finally {
      GradMode.restore(grad);
    }
  }

  @Test
  void kvCachedLogitsEqualFullRecompute() {
    int[] sequence = {257, 260, 72, 101, 108, 108, 111, 258, 261, 87, 111, 114, 108, 100, 33};
    int prefill = 6;
    boolean grad = GradMode.disable();
    try (NDScope ignored = new NDScope()) {
      NDManager m = model.manager();
      long[] all = new long[sequence.length];
      for (int i = 0; i < all.length; i++) {
        all[i] = sequence[i];
      }
      float[] full =
          model
              .logits(model.liveParameters(), m.create(all, new Shape(1, all.length)), false)
              .toFloatArray();

      try (KvCache cache = KvCache.allocate(m, model.cacheLayout(), 1, sequence.length)) {
        int vocab = ByteTokenizer.VOCAB_SIZE;
        float maxDiff = 0;
        // prefill the first tokens in one call
        long[] head = java.util.Arrays.copyOf(all, prefill);
        long[] positions = new long[prefill];
        for (int i = 0; i < prefill; i++) {
          positions[i] = i;
        }
        float[] bias = GptBlock.causalBias(prefill);
        float[] cached =
            model
                .logitsWithCache(
                    model.liveParameters(),
                    m.create(head, new Shape(1, prefill)),
                    m.create(positions, new Shape(1, prefill)),
                    m.create(bias, new Shape(1, 1, prefill, prefill)),
                    cache,
                    0)
                .toFloatArray();
        for (int i = 0; i < prefill * vocab; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(cached[i] - full[i]));
        }
        // then one token at a time
        for (int t = prefill; t < sequence.length; t++) {
          float[] step =
              model
                  .logitsWithCache(
                      model.liveParameters(),
                      m.create(new long[] {all[t]}, new Shape(1, 1)),
                      m.create(new long[] {t}, new Shape(1, 1)),
                      m.zeros(new Shape(1, 1, 1, t + 1)),
                      cache,
                      t)
                  .toFloatArray();
          for (int v = 0; v < vocab; v++) {
            maxDiff = Math.max(maxDiff, Math.abs(step[v] - full[t * vocab + v]));
          }
        }
        assertTrue(maxDiff <= 1e-4, "max |cached - recomputed| = " + maxDiff);
      }
    } finally {
      GradMode.restore(grad);
    }
  }
}
