package sail.server.training.mixture;

import java.util.Objects;
import sail.server.training.objective.Route;

/**
 * What one row of a training batch will be made of, decided before any model work (section 3 of
 * sail-objective.md): a dataset pair, a prompt to sample two fresh replies for, or a pair labelled
 * by a person.
 */
public sealed interface PlannedRow {
  /** Position of the row in its batch. */
  int slot();

  Route route();

  /** The prompt the row's replies answer. */
  String prompt();

  /**
   * A dataset pair: offline DPO keeps its label, DDP resamples it from the policy.
   *
   * @param pair the dataset pair in its dataset order
   */
  record DatasetRow(int slot, Route route, PreferencePair pair) implements PlannedRow {
    public DatasetRow {
      if (route != Route.OFFLINE_DPO && route != Route.DDP) {
        throw new IllegalArgumentException("dataset rows are offline DPO or DDP, not " + route);
      }
      Objects.requireNonNull(pair, "pair");
    }

    @Override
    public String prompt() {
      return pair.prompt();
    }
  }

  /**
   * Two fresh replies to {@code prompt} from the current policy, labelled by the policy (DPP) or
   * the reward model (DPR).
   */
  record FreshRow(int slot, Route route, String prompt) implements PlannedRow {
    public FreshRow {
      if (route != Route.DPP && route != Route.DPR) {
        throw new IllegalArgumentException("fresh-sample rows are DPP or DPR, not " + route);
      }
      Objects.requireNonNull(prompt, "prompt");
    }
  }

  /**
   * A logged pair labelled by a person: a DPR row whose reward model is the person.
   *
   * @param versionLag how many versions the replies' generator trails the current policy
   */
  record FeedbackRow(int slot, FeedbackPair pair, long versionLag) implements PlannedRow {
    public FeedbackRow {
      Objects.requireNonNull(pair, "pair");
    }

    @Override
    public Route route() {
      return Route.DPR;
    }

    @Override
    public String prompt() {
      return pair.prompt();
    }
  }
}
