package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which requests the one port hands to gRPC and which to the HTTP router. */
class GrpcContentTypeTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/grpc",
        "application/grpc+proto",
        "application/grpc+json",
        "application/grpc;charset=utf-8",
        "application/grpc-web",
        "application/grpc-web+proto",
        "application/grpc-web-text",
        "Application/GRPC",
      })
  void grpcContentTypesGoToGrpc(String type) {
    assertTrue(ApiServer.isGrpc(type), type);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "application/grpcx",
        "application/grpc-webx",
        "application/json",
        "text/plain",
        "application/grpc-text",
        "",
      })
  void otherContentTypesGoToHttp(String type) {
    assertFalse(ApiServer.isGrpc(type), type);
  }
}
