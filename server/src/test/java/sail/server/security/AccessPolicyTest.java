package sail.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
  static final Optional<Role> OPEN = Optional.empty();
  static final Optional<Role> USER = Optional.of(Role.USER);
  static final Optional<Role> ADMIN = Optional.of(Role.ADMIN);

  @Test
  void grpcMethods() {
    assertEquals(USER, AccessPolicy.grpc("/sail.v1.PolicyService/Generate"));
    assertEquals(USER, AccessPolicy.grpc("/sail.v1.PolicyService/GetModelInfo"));
    assertEquals(ADMIN, AccessPolicy.grpc("/sail.v1.AdminService/Status"));
    assertEquals(ADMIN, AccessPolicy.grpc("/sail.v1.AdminService/Evaluate"));
    assertEquals(OPEN, AccessPolicy.grpc("/grpc.health.v1.Health/Check"));
    assertEquals(
        USER, AccessPolicy.grpc("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"));
    // unknown or odd paths are closed to users
    assertEquals(ADMIN, AccessPolicy.grpc("/sail.v2.NewService/Anything"));
    assertEquals(ADMIN, AccessPolicy.grpc("/grpc.health.v1.HealthX/Check"));
    assertEquals(ADMIN, AccessPolicy.grpc("garbage"));
    assertEquals(ADMIN, AccessPolicy.grpc("/grpc.health.v1.Health/../sail.v1.AdminService/Status"));
    assertEquals(ADMIN, AccessPolicy.grpc("/grpc.health.v1.Health/"));
    assertEquals(ADMIN, AccessPolicy.grpc("//grpc.health.v1.Health/Check"));
  }

  @Test
  void httpRoutes() {
    assertEquals(OPEN, AccessPolicy.http("GET", "/health/live"));
    assertEquals(OPEN, AccessPolicy.http("GET", "/health/ready"));
    assertEquals(ADMIN, AccessPolicy.http("GET", "/metrics"));
    assertEquals(ADMIN, AccessPolicy.http("GET", "/metrics/"));
    assertEquals(ADMIN, AccessPolicy.http("GET", "/metrics//"));
    assertEquals(USER, AccessPolicy.http("POST", "/v1/completions/"));
    assertEquals(USER, AccessPolicy.http("POST", "/v1/chat/completions"));
    assertEquals(USER, AccessPolicy.http("POST", "/v1/completions"));
    assertEquals(USER, AccessPolicy.http("POST", "/v1/feedback"));
    assertEquals(USER, AccessPolicy.http("POST", "/v1/preference"));
    assertEquals(ADMIN, AccessPolicy.http("GET", "/v1/admin/status"));
    assertEquals(ADMIN, AccessPolicy.http("POST", "/v1/admin/training/pause"));
    assertEquals(ADMIN, AccessPolicy.http("POST", "/v1/evaluate"));
    // the page and its assets are open to read, but nothing outside /v1 can be changed openly
    assertEquals(OPEN, AccessPolicy.http("GET", "/"));
    assertEquals(OPEN, AccessPolicy.http("GET", "/app.js"));
    assertEquals(ADMIN, AccessPolicy.http("POST", "/"));
    assertEquals(ADMIN, AccessPolicy.http("DELETE", "/anything"));
  }
}
