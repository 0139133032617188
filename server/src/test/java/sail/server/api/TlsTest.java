package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.grpc.common.GrpcStatus;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.client.BlockingSailClient;
import sail.client.ClientSecurity;
import sail.client.SailClientException;
import sail.client.Target;
import sail.server.RunningServer;
import sail.server.testing.EchoGenerator;
import sail.server.testing.SelfSignedCertificate;
import sail.server.testing.TestServer;
import sail.v1.GenerateRequest;

/**
 * TLS on the one port: the project's Java client speaks gRPC over TLS (ALPN h2) with an API key,
 * and a browser-like HTTP client negotiates HTTP/2 on the same port.
 */
class TlsTest {
  static final String USER_KEY = "user-5a1f9e3c7b2d4068";
  @TempDir static Path dir;
  static SelfSignedCertificate certificate;
  static EchoGenerator engine;
  static RunningServer server;

  @BeforeAll
  static void start() throws Exception {
    certificate = SelfSignedCertificate.create(dir);
    engine = new EchoGenerator(4, 16, 2);
    server =
        TestServer.startWithKeys(
            dir,
            engine,
            "user " + USER_KEY + "\n",
            Map.of(
                "security.tls_cert", certificate.certificate().toString(),
                "security.tls_key", certificate.privateKey().toString()));
  }

  @AfterAll
  static void stop() {
    server.close();
    engine.close();
  }

  static BlockingSailClient client(ClientSecurity security) {
    return new BlockingSailClient(
        new Target("localhost", server.port()), Duration.ofSeconds(10), security);
  }

  static GenerateRequest request() {
    return GenerateRequest.newBuilder().setPrompt("over tls").setSeed(3).build();
  }

  @Test
  void javaClientRoundTripWithTrustedCertificateAndKey() {
    try (BlockingSailClient client =
        client(new ClientSecurity(true, certificate.certificate(), USER_KEY))) {
      assertEquals(
          EchoGenerator.replyTo("over tls", 3),
          client.generate(request()).getCompletions(0).getText());
    }
  }

  @Test
  void keyIsStillRequiredOverTls() {
    try (BlockingSailClient client =
        client(new ClientSecurity(true, certificate.certificate(), null))) {
      SailClientException e =
          assertThrows(SailClientException.class, () -> client.generate(request()));
      assertEquals(GrpcStatus.UNAUTHENTICATED, e.status());
    }
  }

  @Test
  void untrustedOrPlainTextClientsFail() {
    // the JVM's default CAs do not vouch for a self-signed certificate
    try (BlockingSailClient client = client(new ClientSecurity(true, null, USER_KEY))) {
      assertThrows(IllegalStateException.class, () -> client.generate(request()));
    }
    // plain text against a TLS port
    try (BlockingSailClient client = client(new ClientSecurity(false, null, USER_KEY))) {
      assertThrows(RuntimeException.class, () -> client.generate(request()));
    }
  }

  @Test
  void httpNegotiatesHttp2OverTheSamePort() throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certificate.certificate())) {
      trust.setCertificateEntry(
          "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, factory.getTrustManagers(), null);
    HttpClient http = HttpClient.newBuilder().sslContext(ssl).build();
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("https://localhost:" + server.port() + "/health/live"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertEquals(HttpClient.Version.HTTP_2, response.version());
  }
}
