package sail.client.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import sail.client.ClientSecurity;

/**
 * {@code --api-key}, {@code --tls} and {@code --tls-ca}: how a command reaches a server that
 * requires keys or TLS. A picocli mixin, shared by the client commands and {@code ./sail loadtest}.
 */
public final class SecurityOptions {
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

  /** TLS when {@code --tls} or {@code --tls-ca} is given, and the key if any. */
  public ClientSecurity security() {
    return new ClientSecurity(tls || tlsCa != null, tlsCa, apiKey);
  }
}
