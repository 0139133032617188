package sail.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.RunningServer;
import sail.server.testing.EchoGenerator;
import sail.server.testing.TestServer;
import sail.v1.AdminServiceGrpc;
import sail.v1.Completion;
import sail.v1.FeedbackRequest;
import sail.v1.GenerateChunk;
import sail.v1.GenerateRequest;
import sail.v1.PolicyServiceGrpc;
import sail.v1.Rating;
import sail.v1.StatusRequest;

/** A stock grpc-java (Netty) client against the Vert.x server: the wire contract is standard. */
class GrpcJavaInteropTest {
  @TempDir static Path dir;
  static EchoGenerator engine;
  static RunningServer server;
  static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    engine = new EchoGenerator(4, 16, 2);
    server = TestServer.start(dir, engine);
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    engine.close();
  }

  @Test
  void unaryThenFeedback() throws Exception {
    var policy = PolicyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    Completion c =
        policy
            .generate(GenerateRequest.newBuilder().setPrompt("from grpc java").setSeed(2).build())
            .getCompletions(0);
    assertEquals(EchoGenerator.replyTo("from grpc java", 2), c.getText());
    assertTrue(
        !policy
            .feedback(
                FeedbackRequest.newBuilder()
                    .setGenerationId(c.getId())
                    .setRating(Rating.UP)
                    .build())
            .getReplaced());
    var status =
        AdminServiceGrpc.newBlockingStub(channel).status(StatusRequest.getDefaultInstance());
    assertEquals(1, status.getCounts().getFeedback());
  }

  @Test
  void serverStreaming() {
    Iterator<GenerateChunk> chunks =
        PolicyServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .generateStream(
                GenerateRequest.newBuilder().setPrompt("x y").setSeed(4).setN(2).build());
    StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
    int completions = 0;
    while (chunks.hasNext()) {
      GenerateChunk chunk = chunks.next();
      if (chunk.hasCompletion()) {
        completions++;
        assertEquals(text[chunk.getIndex()].toString(), chunk.getCompletion().getText());
      } else {
        text[chunk.getIndex()].append(chunk.getDelta());
      }
    }
    assertEquals(2, completions);
    assertEquals(EchoGenerator.replyTo("x y", 5), text[1].toString());
  }

  @Test
  void statusCodesAndMessagesSurvive() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                PolicyServiceGrpc.newBlockingStub(channel)
                    .generate(
                        GenerateRequest.newBuilder().setPrompt("hi").setTemperature(9).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().startsWith("temperature:"), e.getStatus().getDescription());
  }
}
