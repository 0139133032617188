package sail.client.cli;

import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sail.client.BlockingSailClient;
import sail.client.ClientSecurity;
import sail.client.Target;

/**
 * {@code --target HOST:PORT}, {@code --timeout SECONDS}, TLS and the API key, shared by every
 * subcommand.
 */
final class ConnectionOptions {
  @Option(names = "--target", required = true, description = "server address, HOST:PORT")
  String target;

  @Option(names = "--timeout", defaultValue = "120", description = "seconds per call (default 120)")
  int timeoutSeconds;

  @Option(
      names = "--client-id",
      defaultValue = "sail-cli",
      description = "stored with your requests")
  String clientId;

  @Mixin SecurityOptions security;

  ClientSecurity security() {
    return security.security();
  }

  BlockingSailClient connect() {
    return new BlockingSailClient(
        Target.parse(target), Duration.ofSeconds(timeoutSeconds), security());
  }
}
