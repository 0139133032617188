package sail.loadtest.users;

import io.vertx.core.Future;
import java.util.random.RandomGenerator;
import sail.client.SailClient;
import sail.loadtest.stats.Outcome;
import sail.v1.GenerateRequest;

/**
 * The plain user: sends the next prompt (unary or streamed, as the mix says), reads the whole reply
 * and does nothing else with it.
 */
public final class GenerationUser implements VirtualUser {
  private final SailClient client;
  private final PromptSource prompts;
  private final GenerateRequest template;
  private final CallMix mix;
  private final RandomGenerator random;

  /**
   * @param template every request field except the prompt (max tokens, sampling, client id)
   */
  public GenerationUser(
      SailClient client,
      PromptSource prompts,
      GenerateRequest template,
      CallMix mix,
      RandomGenerator random) {
    this.client = client;
    this.prompts = prompts;
    this.template = template;
    this.mix = mix;
    this.random = random;
  }

  @Override
  public Future<Outcome> act() {
    GenerateRequest request = template.toBuilder().setPrompt(prompts.next()).build();
    return TimedReply.send(client, request, mix.stream(random))
        .<Outcome>map(reply -> reply.outcome(Double.NaN))
        .recover(error -> Future.succeededFuture(Outcome.ofError(error)));
  }
}
