package sail.client.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sail.client.BlockingSailClient;
import sail.v1.Completion;
import sail.v1.GenerateRequest;

/** {@code sail generate}: one reply to a prompt. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate a reply.")
final class GenerateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connection;

  @Option(names = "--prompt", required = true, description = "the prompt")
  String prompt;

  @Option(names = "--max-tokens", description = "most tokens to generate (server default 128)")
  Integer maxTokens;

  @Option(names = "--temperature", description = "0 is greedy; default 1.0")
  Double temperature;

  @Option(names = "--seed", description = "seed for a reproducible reply")
  Long seed;

  @Option(names = "--stream", description = "print text as it is generated")
  boolean stream;

  @Option(
      names = "--json",
      description =
          "print {id, text, model_version, finish_reason, prompt_tokens, completion_tokens}")
  boolean json;

  @Option(names = "--no-log", description = "ask the server not to store this request")
  boolean noLog;

  @Override
  public Integer call() {
    GenerateRequest.Builder request =
        GenerateRequest.newBuilder()
            .setPrompt(prompt)
            .setNoLog(noLog)
            .setClientId(connection.clientId);
    if (maxTokens != null) {
      request.setMaxTokens(maxTokens);
    }
    if (temperature != null) {
      request.setTemperature(temperature);
    }
    if (seed != null) {
      request.setSeed(seed);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (BlockingSailClient client = connection.connect()) {
      Completion completion;
      if (stream) {
        List<Completion> done =
            client.generateStream(
                request.build(),
                chunk -> {
                  if (!json && !chunk.hasCompletion()) {
                    out.print(chunk.getDelta());
                    out.flush();
                  }
                });
        completion = done.get(0);
        if (!json) {
          out.println();
        }
      } else {
        completion = client.generate(request.build()).getCompletions(0);
        if (!json) {
          out.println(completion.getText());
        }
      }
      if (json) {
        out.println(Output.completion(completion).encode());
      }
    }
    out.flush();
    return 0;
  }
}
