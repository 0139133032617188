package sail.client;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a client reaches a server that requires TLS or an API key.
 *
 * @param tls connect over TLS (with ALPN h2)
 * @param trustedCertificate PEM file of the CA (or the self-signed server certificate) to trust;
 *     {@code null} trusts the JVM's default CAs. Only used with {@code tls}
 * @param apiKey sent as {@code authorization: Bearer <key>} on every call; {@code null} sends none
 */
public record ClientSecurity(boolean tls, Path trustedCertificate, String apiKey) {
  /** Plain text, no key: a server on loopback with access control off. */
  public static final ClientSecurity NONE = new ClientSecurity(false, null, null);

  public ClientSecurity {
    if (trustedCertificate != null && !tls) {
      throw new IllegalArgumentException("a trusted certificate only makes sense with TLS");
    }
    if (apiKey != null && apiKey.isBlank()) {
      apiKey = null;
    }
  }

  /** The {@code authorization} header value, or {@code null} when there is no key. */
  public String authorization() {
    return apiKey == null ? null : "Bearer " + apiKey;
  }

  /** HTTP/2 client options: TLS with ALPN and the trusted certificate when {@code tls}. */
  public HttpClientOptions httpOptions() {
    HttpClientOptions options = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2);
    if (tls) {
      options.setSsl(true).setUseAlpn(true);
      if (trustedCertificate != null) {
        options.setTrustOptions(new PemTrustOptions().addCertPath(trustedCertificate.toString()));
      }
    }
    return options;
  }

  /**
   * An SSL context for the JDK's {@code java.net.http} client that trusts {@link
   * #trustedCertificate} (or the JVM's default CAs when there is none).
   */
  public SSLContext sslContext() throws GeneralSecurityException, IOException {
    if (trustedCertificate == null) {
      return SSLContext.getDefault();
    }
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream pem = Files.newInputStream(trustedCertificate)) {
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
        trusted.setCertificateEntry("trusted-" + i++, c);
      }
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /** Never shows the key. */
  @Override
  public String toString() {
    return "ClientSecurity[tls="
        + tls
        + ", trustedCertificate="
        + trustedCertificate
        + ", apiKey="
        + (apiKey == null ? "none" : "***")
        + "]";
  }
}
