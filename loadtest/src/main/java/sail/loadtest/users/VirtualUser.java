package sail.loadtest.users;

import io.vertx.core.Future;
import sail.loadtest.stats.Outcome;

/**
 * One simulated user of the server. A load driver calls {@link #act()} again and again (closed
 * loop) or at a target rate (open loop); what an interaction is — one request, a request followed
 * by feedback, a pair of candidates and a choice — is the user's business.
 */
public interface VirtualUser {

  /**
   * Performs one interaction. The future completes with how its request ended and never fails:
   * errors are outcomes too. Called from one Vert.x context; must not block.
   */
  Future<Outcome> act();

  /** Builds the user with the given index (0-based) of a run. */
  @FunctionalInterface
  interface Factory {
    VirtualUser create(int index);
  }
}
