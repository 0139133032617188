package sail.loadtest.users;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import sail.client.SailClient;
import sail.loadtest.stats.Outcome;
import sail.v1.Completion;
import sail.v1.GenerateRequest;
import sail.v1.Rating;

/**
 * A user with a hidden taste: sends the next prompt (one candidate, or two to compare), reads the
 * reply, and as its {@link FeedbackPolicy} says answers with 👍/👎 or a pairwise choice derived
 * from its {@link HiddenJudge}. The interaction ends when the feedback is acknowledged, so a closed
 * loop of these users paces itself on both calls. The outcome carries the hidden score of the first
 * candidate: what this user thought of what the server served.
 */
public final class FeedbackUser implements VirtualUser {
  private final SailClient client;
  private final PromptSource prompts;
  private final GenerateRequest template;
  private final CallMix mix;
  private final HiddenJudge judge;
  private final FeedbackPolicy policy;
  private final FeedbackCounters counters;
  private final String clientId;
  private final RandomGenerator random;

  /**
   * @param template every request field except the prompt and n
   * @param clientId this user's id on its requests and feedback
   */
  public FeedbackUser(
      SailClient client,
      PromptSource prompts,
      GenerateRequest template,
      CallMix mix,
      HiddenJudge judge,
      FeedbackPolicy policy,
      FeedbackCounters counters,
      String clientId,
      RandomGenerator random) {
    this.client = client;
    this.prompts = prompts;
    this.template = template;
    this.mix = mix;
    this.judge = judge;
    this.policy = policy;
    this.counters = counters;
    this.clientId = clientId;
    this.random = random;
  }

  @Override
  public Future<Outcome> act() {
    boolean compare = random.nextDouble() < policy.compareShare();
    GenerateRequest request =
        template.toBuilder()
            .setPrompt(prompts.next())
            .setN(compare ? 2 : 1)
            .setClientId(clientId)
            .build();
    return TimedReply.send(client, request, mix.stream(random))
        .compose(reply -> giveFeedback(reply.completions()).map(v -> judged(reply)))
        .recover(error -> Future.succeededFuture(Outcome.ofError(error)));
  }

  private Outcome judged(TimedReply reply) {
    List<Completion> completions = reply.completions();
    return reply.outcome(
        completions.isEmpty() ? Double.NaN : judge.score(completions.get(0).getText()));
  }

  /** Sends this user's feedback on the reply; completes when every label is acknowledged. */
  private Future<Void> giveFeedback(List<Completion> completions) {
    List<Future<?>> sent = new ArrayList<>();
    if (completions.size() >= 2) {
      if (random.nextDouble() < policy.preferShare()) {
        Completion a = completions.get(0);
        Completion b = completions.get(1);
        boolean firstWins = judge.prefersFirst(a.getText(), b.getText(), random);
        counters.choices.incrementAndGet();
        sent.add(
            client.prefer(
                firstWins ? a.getId() : b.getId(), firstWins ? b.getId() : a.getId(), clientId));
      }
    } else if (completions.size() == 1 && random.nextDouble() < policy.rateShare()) {
      Completion c = completions.get(0);
      boolean up = judge.thumbsUp(c.getText(), random);
      (up ? counters.thumbsUp : counters.thumbsDown).incrementAndGet();
      sent.add(client.feedback(c.getId(), up ? Rating.UP : Rating.DOWN, null, clientId));
    }
    return Future.all(sent)
        .onSuccess(v -> counters.acknowledged.addAndGet(sent.size()))
        .onFailure(e -> counters.failed.incrementAndGet())
        .mapEmpty();
  }
}
