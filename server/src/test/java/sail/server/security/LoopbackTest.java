package sail.server.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoopbackTest {
  @Test
  void bindAddresses() {
    assertTrue(Loopback.isLoopbackAddress("127.0.0.1"));
    assertTrue(Loopback.isLoopbackAddress("127.1.2.3"));
    assertTrue(Loopback.isLoopbackAddress("::1"));
    assertTrue(Loopback.isLoopbackAddress("localhost"));
    assertFalse(Loopback.isLoopbackAddress("0.0.0.0"));
    assertFalse(Loopback.isLoopbackAddress("::"));
    assertFalse(Loopback.isLoopbackAddress("10.1.2.3"));
  }

  @Test
  void hostHeadersAreNotResolved() {
    assertTrue(Loopback.isLoopbackName("localhost"));
    assertTrue(Loopback.isLoopbackName("LOCALHOST"));
    assertTrue(Loopback.isLoopbackName("127.0.0.1"));
    assertTrue(Loopback.isLoopbackName("[::1]"));
    // a name an attacker controls may resolve to 127.0.0.1 today (DNS rebinding)
    assertFalse(Loopback.isLoopbackName("localtest.me"));
    assertFalse(Loopback.isLoopbackName("evil.example"));
    assertFalse(Loopback.isLoopbackName("192.168.1.1"));
  }
}
