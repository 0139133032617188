package sail.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made at test
 * time with the running JDK's own {@code keytool} (every JDK ships it, so a fresh CI machine needs
 * nothing else) and written out as the PEM files the server reads.
 *
 * @param certificate PEM certificate, also what a client trusts
 * @param privateKey PEM PKCS#8 private key
 */
public record SelfSignedCertificate(Path certificate, Path privateKey) {
  private static final String PASSWORD = "test-only";

  public static SelfSignedCertificate create(Path dir) throws Exception {
    Path store = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process =
        new ProcessBuilder(
                List.of(
                    keytool.toString(),
                    "-genkeypair",
                    "-alias",
                    "server",
                    "-keyalg",
                    "RSA",
                    "-keysize",
                    "2048",
                    "-validity",
                    "2",
                    "-dname",
                    "CN=localhost",
                    // hostname verification needs the names in the subject alternative names
                    "-ext",
                    "san=dns:localhost,ip:127.0.0.1",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    store.toString(),
                    "-storepass",
                    PASSWORD,
                    "-keypass",
                    PASSWORD))
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("keytool failed: " + output);
    }

    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, PASSWORD.toCharArray());
    }
    Certificate cert = keyStore.getCertificate("server");
    Key key = keyStore.getKey("server", PASSWORD.toCharArray());
    SelfSignedCertificate files =
        new SelfSignedCertificate(dir.resolve("server.crt"), dir.resolve("server.key"));
    Files.writeString(files.certificate, pem("CERTIFICATE", cert.getEncoded()));
    // getEncoded() of an RSA private key is PKCS#8, the "PRIVATE KEY" PEM type
    Files.writeString(files.privateKey, pem("PRIVATE KEY", key.getEncoded()));
    return files;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
