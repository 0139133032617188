package sail.client.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sail.client.BlockingSailClient;
import sail.client.SailClientException;
import sail.v1.Completion;
import sail.v1.Conversation;
import sail.v1.GenerateRequest;
import sail.v1.Message;
import sail.v1.Rating;

/**
 * {@code sail chat}: an interactive conversation. Lines are sent as user turns and replies stream
 * back; {@code /up} and {@code /down} (optionally followed by a comment) rate the last reply,
 * {@code /reset} starts over, {@code /quit} or end of input leaves.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, description = "Chat interactively.")
final class ChatCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connection;

  @Option(names = "--max-tokens", description = "most tokens per reply")
  Integer maxTokens;

  @Option(names = "--temperature", description = "0 is greedy; default 1.0")
  Double temperature;

  private final BufferedReader in;

  ChatCommand() {
    this(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
  }

  ChatCommand(BufferedReader in) {
    this.in = in;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "chat with "
            + connection.target
            + " — /up or /down [comment] rates the last reply, /reset, /quit");
    Conversation.Builder conversation = Conversation.newBuilder();
    String lastId = null;
    try (BlockingSailClient client = connection.connect()) {
      while (true) {
        out.print("> ");
        out.flush();
        String line = in.readLine();
        if (line == null || line.equals("/quit")) {
          break;
        }
        line = line.strip();
        if (line.isEmpty()) {
          continue;
        }
        if (line.equals("/reset")) {
          conversation.clear();
          lastId = null;
          out.println("(new conversation)");
          continue;
        }
        if (line.startsWith("/up") || line.startsWith("/down")) {
          if (lastId == null) {
            out.println("(nothing to rate yet)");
            continue;
          }
          boolean up = line.startsWith("/up");
          String comment = line.substring(up ? 3 : 5).strip();
          try {
            client.feedback(lastId, up ? Rating.UP : Rating.DOWN, comment, connection.clientId);
            out.println("(rated " + (up ? "up" : "down") + ")");
          } catch (SailClientException e) {
            out.println("(rating failed: " + e.getMessage() + ")");
          }
          continue;
        }
        conversation.addMessages(Message.newBuilder().setRole(Message.Role.USER).setContent(line));
        GenerateRequest.Builder request =
            GenerateRequest.newBuilder()
                .setConversation(conversation)
                .setClientId(connection.clientId);
        if (maxTokens != null) {
          request.setMaxTokens(maxTokens);
        }
        if (temperature != null) {
          request.setTemperature(temperature);
        }
        try {
          Completion reply =
              client
                  .generateStream(
                      request.build(),
                      chunk -> {
                        if (!chunk.hasCompletion()) {
                          out.print(chunk.getDelta());
                          out.flush();
                        }
                      })
                  .get(0);
          out.println();
          lastId = reply.getId();
          conversation.addMessages(
              Message.newBuilder().setRole(Message.Role.ASSISTANT).setContent(reply.getText()));
        } catch (SailClientException e) {
          out.println("(error: " + e.getMessage() + ")");
          conversation.removeMessages(conversation.getMessagesCount() - 1);
        }
      }
    }
    out.flush();
    return 0;
  }
}
