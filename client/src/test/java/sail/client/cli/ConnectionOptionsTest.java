package sail.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import sail.client.ClientSecurity;

class ConnectionOptionsTest {
  static final String KEY = "user-9d8c7b6a5f4e3d2c";

  static ClientSecurity parse(String... args) {
    ConnectionOptions options = new ConnectionOptions();
    new CommandLine(options).parseArgs(args);
    return options.security();
  }

  @Test
  void plainByDefault() {
    ClientSecurity s = parse("--target", "127.0.0.1:8080");
    assertFalse(s.tls());
    assertNull(s.trustedCertificate());
    // from $SAIL_API_KEY when the environment has one, which a test cannot set
    assertEquals(System.getenv("SAIL_API_KEY"), s.apiKey());
  }

  @Test
  void caFileImpliesTlsAndKeyIsSentAsBearer() {
    ClientSecurity s = parse("--target", "h:1", "--tls-ca", "ca.pem", "--api-key", KEY);
    assertTrue(s.tls());
    assertEquals(Path.of("ca.pem"), s.trustedCertificate());
    assertEquals("Bearer " + KEY, s.authorization());
    assertTrue(parse("--target", "h:1", "--tls").tls());
  }

  @Test
  void toStringHidesTheKey() {
    String text = parse("--target", "h:1", "--api-key", KEY).toString();
    assertFalse(text.contains(KEY), text);
    assertTrue(text.contains("apiKey=***"), text);
  }

  @Test
  void aTrustedCertificateWithoutTlsIsAMistake() {
    assertThrows(
        IllegalArgumentException.class, () -> new ClientSecurity(false, Path.of("ca.pem"), null));
  }
}
