package sail.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecurityConfigTest {
  static final String KEY = "admin-key-7f3a9c1e5b2d4680";
  @TempDir Path dir;

  Path keyFile(String text) throws Exception {
    Path file = dir.resolve("keys.txt");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void defaultsAreLoopbackWithoutKeys() throws Exception {
    ServerConfig.Security s = ConfigLoader.load(null, Map.of()).security();
    assertTrue(s.apiKeys().isEmpty());
    assertFalse(s.insecureNoAuth());
    assertNull(s.tls());
    assertNull(s.rateLimit());
    assertEquals(List.of(), s.corsOrigins());
  }

  @Test
  void refusesToBindBeyondLoopbackWithoutKeys() throws Exception {
    for (String host : List.of("0.0.0.0", "::", "10.0.0.7")) {
      ConfigException e =
          assertThrows(
              ConfigException.class, () -> ConfigLoader.load(null, Map.of("http.host", host)));
      assertTrue(e.getMessage().contains("no API keys are configured"), e.getMessage());
      assertTrue(e.getMessage().contains("--insecure-no-auth"), e.getMessage());
    }
    // loopback names need nothing
    ConfigLoader.load(null, Map.of("http.host", "localhost"));
    ConfigLoader.load(null, Map.of("http.host", "::1"));
    // the explicit override, or keys, make it start
    assertTrue(
        ConfigLoader.load(null, Map.of("http.host", "0.0.0.0", "security.insecure_no_auth", "true"))
            .security()
            .insecureNoAuth());
    ServerConfig keyed =
        ConfigLoader.load(
            null,
            Map.of(
                "http.host",
                "0.0.0.0",
                "security.api_keys_file",
                keyFile("admin " + KEY).toString()));
    assertFalse(keyed.security().apiKeys().isEmpty());
  }

  @Test
  void keysFromTheEnvironmentButNotFromBothPlaces() throws Exception {
    Map<String, String> env =
        Map.of(ConfigLoader.API_KEYS_ENV, "admin " + KEY + ", user " + KEY + "x");
    ServerConfig c = ConfigLoader.load(null, Map.of("http.host", "0.0.0.0"), env);
    assertEquals("ApiKeys[1 admin, 1 user]", c.security().apiKeys().toString());

    Map<String, String> file = Map.of("security.api_keys_file", keyFile("user " + KEY).toString());
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, file, env));
    assertTrue(e.getMessage().contains("use one of them"), e.getMessage());
  }

  @Test
  void malformedKeyFileNamesFileAndLineButNeverTheKey() throws Exception {
    Path file = keyFile("# keys\nadmin " + KEY + "\nsuperuser " + KEY + "y\n");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, Map.of("security.api_keys_file", file.toString())));
    assertTrue(e.getMessage().contains(file + ":3: role must be user or admin"), e.getMessage());
    assertFalse(e.getMessage().contains(KEY), e.getMessage());

    ConfigException missing =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    null, Map.of("security.api_keys_file", dir.resolve("nope").toString())));
    assertTrue(missing.getMessage().startsWith("cannot read API key file"), missing.getMessage());
  }

  @Test
  void configDumpsNeverShowKeys() throws Exception {
    ServerConfig fromFile =
        ConfigLoader.load(
            null, Map.of("security.api_keys_file", keyFile("admin " + KEY).toString()));
    assertFalse(fromFile.toString().contains(KEY), fromFile.toString());
    assertTrue(fromFile.toString().contains("ApiKeys[1 admin, 0 user]"), fromFile.toString());
    ServerConfig fromEnv =
        ConfigLoader.load(null, Map.of(), Map.of(ConfigLoader.API_KEYS_ENV, "user " + KEY));
    assertFalse(fromEnv.toString().contains(KEY), fromEnv.toString());
  }

  @Test
  void tlsNeedsBothReadableFiles() throws Exception {
    Path cert = Files.writeString(dir.resolve("c.pem"), "x");
    Path key = Files.writeString(dir.resolve("k.pem"), "x");
    ServerConfig.Tls tls =
        ConfigLoader.load(
                null,
                Map.of("security.tls_cert", cert.toString(), "security.tls_key", key.toString()))
            .security()
            .tls();
    assertEquals(new ServerConfig.Tls(cert, key), tls);
    ConfigException half =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, Map.of("security.tls_cert", cert.toString())));
    assertTrue(half.getMessage().contains("needs both"), half.getMessage());
    ConfigException absent =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    null,
                    Map.of(
                        "security.tls_cert",
                        cert.toString(),
                        "security.tls_key",
                        dir.resolve("absent.pem").toString())));
    assertTrue(absent.getMessage().contains("security.tls_key"), absent.getMessage());
  }

  @Test
  void rateLimitBurstDefaultsToOneSecondsWorth() throws Exception {
    assertEquals(
        new ServerConfig.RateLimit(5, 5),
        ConfigLoader.load(null, Map.of("security.rate_limit_rps", "5")).security().rateLimit());
    assertEquals(
        new ServerConfig.RateLimit(0.5, 1),
        ConfigLoader.load(null, Map.of("security.rate_limit_rps", "0.5")).security().rateLimit());
    assertEquals(
        new ServerConfig.RateLimit(2, 20),
        ConfigLoader.load(
                null, Map.of("security.rate_limit_rps", "2", "security.rate_limit_burst", "20"))
            .security()
            .rateLimit());
    assertThrows(
        ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("security.rate_limit_rps", "-1")));
    assertThrows(
        ConfigException.class,
        () -> ConfigLoader.load(null, Map.of("security.rate_limit_rps", "fast")));
  }

  @Test
  void corsOriginsMustBeOrigins() throws Exception {
    assertEquals(
        List.of("https://app.example.com", "http://localhost:3000"),
        ConfigLoader.load(
                null,
                Map.of("security.cors_origins", " https://app.example.com , http://localhost:3000"))
            .security()
            .corsOrigins());
    for (String bad : List.of("*", "app.example.com", "https://app.example.com/", "ftp://x")) {
      ConfigException e =
          assertThrows(
              ConfigException.class,
              () -> ConfigLoader.load(null, Map.of("security.cors_origins", bad)));
      assertTrue(e.getMessage().contains("security.cors_origins"), e.getMessage());
    }
  }
}
