package sail.loadtest.users;

import java.util.random.RandomGenerator;

/**
 * Which RPC a request uses: {@code GenerateStream} with probability {@code streamShare}, otherwise
 * unary {@code Generate}. 0 and 1 give a pure unary or pure streaming load.
 */
public record CallMix(double streamShare) {
  public static final CallMix UNARY = new CallMix(0);
  public static final CallMix STREAM = new CallMix(1);

  public CallMix {
    if (!(streamShare >= 0 && streamShare <= 1)) {
      throw new IllegalArgumentException("stream share must be in [0, 1], got " + streamShare);
    }
  }

  public boolean stream(RandomGenerator random) {
    return streamShare >= 1 || (streamShare > 0 && random.nextDouble() < streamShare);
  }
}
