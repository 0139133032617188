package sail.client.cli;

import java.nio.file.Path;
import java.time.Duration;
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

  // the default comes from the environment so the key need not appear in the process list
  @Option(
      names = "--api-key",
      defaultValue = "${env:SAIL_API_KEY}",
      description = "API key sent as 'authorization: Bearer KEY' (default: $SAIL_API_KEY)")
  String apiKey;

  @Option(names = "--tls", description = "connect over TLS, trusting the JVM's default CAs")
  boolean tls;

  @Option(
      names = "--tls-ca",
      paramLabel = "PEM",
      description = "connect over TLS, trusting this CA or self-signed server certificate")
  Path tlsCa;

  ClientSecurity security() {
    return new ClientSecurity(tls || tlsCa != null, tlsCa, apiKey);
  }

  BlockingSailClient connect() {
    return new BlockingSailClient(
        Target.parse(target), Duration.ofSeconds(timeoutSeconds), security());
  }
}
