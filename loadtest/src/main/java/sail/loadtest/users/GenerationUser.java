package sail.loadtest.users;

import io.vertx.core.Future;
import java.util.List;
import java.util.random.RandomGenerator;
import sail.client.SailClient;
import sail.loadtest.stats.Outcome;
import sail.v1.Completion;
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
    long start = System.nanoTime();
    Future<Outcome> reply;
    if (mix.stream(random)) {
      long[] firstChunk = {-1};
      reply =
          client
              .generateStream(
                  request,
                  chunk -> {
                    if (firstChunk[0] < 0) {
                      firstChunk[0] = System.nanoTime();
                    }
                  })
              .map(
                  completions -> {
                    long end = System.nanoTime();
                    long first = firstChunk[0] < 0 ? end : firstChunk[0];
                    return success(completions, end - start, first - start);
                  });
    } else {
      reply =
          client
              .generate(request)
              .map(
                  response -> {
                    long latency = System.nanoTime() - start;
                    return success(response.getCompletionsList(), latency, latency);
                  });
    }
    return reply.recover(error -> Future.succeededFuture(Outcome.ofError(error)));
  }

  static Outcome.Success success(List<Completion> completions, long latencyNanos, long ttftNanos) {
    int tokens = 0;
    for (Completion c : completions) {
      tokens += c.getCompletionTokens();
    }
    long version = completions.isEmpty() ? 0 : completions.get(0).getModelVersion();
    return new Outcome.Success(latencyNanos, ttftNanos, tokens, version);
  }
}
