package sail.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sail.server.model.Checkpoint;
import sail.server.registry.CheckpointStore;
import sail.server.testing.LocalHttp;
import sail.server.testing.ServerProcess;
import sail.server.testing.TrainingServerMain;

/**
 * A training server killed without shutdown ({@code destroyForcibly}, SIGKILL) comes back on the
 * same data directory serving the last published version and training from the last complete
 * checkpoint; a damaged checkpoint or version is reported by file name and the one before it is
 * used. The server runs in its own JVM ({@link TrainingServerMain}: a tiny model, DPO on toy pairs,
 * a publish attempt and a checkpoint every 2 steps).
 */
class TrainingCrashTest {
  static final Duration WAIT = Duration.ofMinutes(2);

  @TempDir Path dir;

  CheckpointStore checkpoints() {
    return new CheckpointStore(dir.resolve("data").resolve("checkpoints"), "step", 3);
  }

  CheckpointStore versions() {
    return new CheckpointStore(dir.resolve("data").resolve("versions"), "version", 10);
  }

  ServerProcess launch(String... pauseBeforeMetadataOf) throws Exception {
    List<String> args = new ArrayList<>(List.of(dir.toString()));
    args.addAll(List.of(pauseBeforeMetadataOf));
    return ServerProcess.launch(
        TrainingServerMain.class,
        List.of(
            // what the restart loaded is logged at info by the trainer's package
            "-Dorg.slf4j.simpleLogger.log.sail.server.training=info",
            "-Djava.security.manager=allow"),
        args.toArray(String[]::new));
  }

  @Test
  void killedMidCheckpointWriteResumesFromTheLastCompleteCheckpoint() throws Exception {
    // 1. the first server stops inside the write of checkpoint 4, with every file but the
    //    metadata on disk, and is killed there
    Path partial;
    byte[] interruptedWeights;
    long published;
    try (ServerProcess first = launch("step-000000004")) {
      String paused = first.awaitOutput(line -> line.startsWith("paused-writing "), WAIT);
      partial = Path.of(paused.substring("paused-writing ".length())).getParent();
      interruptedWeights = Files.readAllBytes(partial.resolve(Checkpoint.WEIGHTS));
      first.kill();
      // the version published at step 4 (before its checkpoint) was saved completely
      published = versions().latestValid().orElseThrow().number();
    }
    assertTrue(Files.isDirectory(partial), "the kill left a half-written checkpoint");
    assertFalse(Files.exists(partial.resolve(Checkpoint.METADATA)));
    assertEquals(List.of(2L), checkpoints().numbers(), "checkpoint 4 never became visible");
    byte[] stepTwoWeights = Files.readAllBytes(checkpoints().pathOf(2).resolve(Checkpoint.WEIGHTS));
    assertTrue(published >= 1, "a version was published before the kill");

    // 2. the restart serves that version and trains on from checkpoint 2
    try (ServerProcess second = launch()) {
      awaitServing(second, published);
      awaitResumed(second, 2);

      // weights, optimizer moments and sampler cursors all came back: steps 3 and 4 are taken again
      // exactly, and their weights are those the interrupted write had on disk. No request is
      // served meanwhile: once, in a full build, a replay beside a served request differed by
      // 3e-5 — a forward pass on the engine thread may change how a step's products are split
      // over threads, and so their last bits.
      // its weights are read the moment it is listed: training goes on, and once three newer
      // checkpoints exist the store deletes it (an HTTP call in between once lost that race)
      byte[][] read = new byte[1][];
      awaitTrue(
          () -> {
            read[0] = weightsOfCheckpoint(4);
            return read[0] != null;
          },
          "checkpoint 4 is written again");
      byte[] rewritten = read[0];
      // (training goes on, so a newer version may already serve)
      assertTrue(modelVersionServed(second) >= published);
      assertEquals(0.0, maxDifference(interruptedWeights, rewritten), 1e-7);
      assertTrue(
          maxDifference(interruptedWeights, stepTwoWeights) > 1e-6,
          "steps 3 and 4 changed the weights (else the comparison above proves nothing)");
      // the save of checkpoint 4 cleared what the interrupted write had left
      assertFalse(Files.exists(partial));
    }
  }

  @Test
  void killedWhileTrainingResumesAndADamagedCheckpointFallsBackToThePreviousOne() throws Exception {
    // 1. kill at whatever point of a step the trainer is, once a few checkpoints exist
    try (ServerProcess first = launch()) {
      awaitTrue(() -> trainingStep(first) >= 7, "the first server trains to step 7");
      first.kill();
    }
    // what is on disk now is what a restart must continue from: the newest complete files
    long checkpoint = checkpoints().latestValid().orElseThrow().number();
    long version = versions().latestValid().orElseThrow().number();
    assertTrue(checkpoint >= 6 && version >= 1, checkpoint + " " + version);

    try (ServerProcess second = launch()) {
      awaitServing(second, version);
      awaitResumed(second, checkpoint);
      // 2. let it write one more checkpoint and version, then kill it too
      awaitTrue(
          () -> checkpoints().numbers().contains(checkpoint + 2),
          "the restarted server writes checkpoint " + (checkpoint + 2));
      second.kill();
    }

    // 3. damage the newest checkpoint (truncate a file) and the newest version (flip a byte)
    List<Long> steps = checkpoints().numbers();
    long damagedStep = steps.get(steps.size() - 1);
    long previousStep = steps.get(steps.size() - 2);
    Path truncated = checkpoints().pathOf(damagedStep).resolve("optimizer.safetensors");
    byte[] optimizer = Files.readAllBytes(truncated);
    Files.write(truncated, Arrays.copyOf(optimizer, optimizer.length / 2));
    List<Long> published = versions().numbers();
    long damagedVersion = published.get(published.size() - 1);
    long previousVersion = published.get(published.size() - 2);
    Path flipped = versions().pathOf(damagedVersion).resolve(Checkpoint.WEIGHTS);
    byte[] weights = Files.readAllBytes(flipped);
    weights[weights.length / 2] ^= 0x10;
    Files.write(flipped, weights);

    try (ServerProcess third = launch()) {
      // each damage is named by file, and the one before is used
      third.awaitLog(
          line ->
              line.contains(
                      "checkpoint file " + truncated.toAbsolutePath() + ": is corrupt or truncated")
                  && line.contains("falling back to the previous checkpoint"),
          WAIT);
      third.awaitLog(
          line ->
              line.contains(
                  "checkpoint file " + flipped.toAbsolutePath() + ": is corrupt or truncated"),
          WAIT);
      awaitServing(third, previousVersion);
      awaitResumed(third, previousStep);
      // the damaged ones were set aside: training writes its step number again, and the next
      // version gets a number above the damaged one
      awaitTrue(
          () -> checkpoints().numbers().contains(damagedStep),
          "checkpoint " + damagedStep + " is written again");
      awaitTrue(
          () -> versions().numbers().stream().anyMatch(v -> v > damagedVersion),
          "a version after " + damagedVersion + " is published");
      assertFalse(versions().numbers().contains(damagedVersion));
      try (Stream<Path> aside = Files.list(versions().root())) {
        assertTrue(
            aside.anyMatch(
                p ->
                    p.getFileName()
                        .toString()
                        .startsWith(versionDir(damagedVersion).getFileName() + ".damaged-")),
            "the damaged version is kept aside for inspection");
      }
    }
  }

  /** Waits for the restart's report that it serves {@code version} from its directory. */
  void awaitServing(ServerProcess server, long version) {
    server.awaitLog(
        line ->
            line.endsWith("serving published version " + version + " from " + versionDir(version)),
        WAIT);
  }

  /** Waits for the restart's report that training resumed from checkpoint {@code step}. */
  void awaitResumed(ServerProcess server, long step) {
    server.awaitLog(
        line ->
            line.endsWith(
                "resumed training at step "
                    + step
                    + " from "
                    + checkpoints().pathOf(step).toAbsolutePath()),
        WAIT);
  }

  Path versionDir(long version) {
    return versions().pathOf(version).toAbsolutePath();
  }

  static JsonObject status(ServerProcess server) {
    try {
      return new JsonObject(new LocalHttp(server.port()).get("/v1/admin/status").body());
    } catch (Exception e) {
      throw new AssertionError("status of the server process", e);
    }
  }

  static long trainingStep(ServerProcess server) {
    return status(server).getJsonObject("training").getLong("step");
  }

  static long modelVersionServed(ServerProcess server) throws Exception {
    var reply =
        new LocalHttp(server.port())
            .postJson("/v1/completions", "{\"prompt\":\"Hello\",\"max_tokens\":4}");
    assertEquals(200, reply.statusCode(), reply.body());
    return new JsonObject(reply.body()).getLong("model_version");
  }

  /** Polls a condition that has no event to wait on (files appearing, a step count), bounded. */
  /** The weights file of checkpoint {@code step} if it is listed and still on disk, else null. */
  byte[] weightsOfCheckpoint(long step) {
    if (!checkpoints().numbers().contains(step)) {
      return null;
    }
    try {
      return Files.readAllBytes(checkpoints().pathOf(step).resolve(Checkpoint.WEIGHTS));
    } catch (java.io.IOException deletedMeanwhile) {
      return null;
    }
  }

  static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  /** Largest absolute difference between two safetensors files with the same arrays. */
  static double maxDifference(byte[] a, byte[] b) {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      NDList left = NDList.decode(manager, new ByteArrayInputStream(a));
      NDList right = NDList.decode(manager, new ByteArrayInputStream(b));
      assertEquals(left.size(), right.size());
      double max = 0;
      for (int i = 0; i < left.size(); i++) {
        NDArray l = left.get(i);
        NDArray r = right.get(i);
        assertEquals(l.getName(), r.getName());
        max = Math.max(max, l.sub(r).abs().max().getFloat());
      }
      return max;
    }
  }
}
