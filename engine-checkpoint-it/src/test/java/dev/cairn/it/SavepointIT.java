package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.api.Savepoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Savepoints: taken on request, kept apart and never pruned, and restorable exactly; a missing one
 * is a clear error, never a silent fresh start.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SavepointIT {
    @TempDir
    Path dir;

    @Test
    void stopWithSavepoint_thenRestoreExactlyIt_exactlyOnce_andTheSavepointOutlivesRetention() throws Exception {
        long records = 120_000;
        Path output = dir.resolve("out");
        Map<String, String> storageConfig =
                Map.of("namespace", dir.resolve("ckpt").toString());
        var config = TestCluster.engine("interval: 200\ntimeout: 15000", "hdfs", storageConfig, 1);
        var job = Demo.job("savepoint", records, 4, 10_000, output);
        PipelineKey pipeline = PipelineKey.of("savepoint", "1");
        try (TestCluster cluster = TestCluster.start(3, config);
                CheckpointStorage storage = CheckpointStorageFactories.find(
                                "hdfs", getClass().getClassLoader())
                        .create(storageConfig)) {
            cluster.submit(job);
            cluster.awaitJob("savepoint", r -> r.checkpointsCompleted() >= 3, Duration.ofSeconds(30));

            Savepoint saved = cluster.handle("savepoint").savepoint(true).get(2, TimeUnit.MINUTES);

            assertTrue(saved.jobStopped());
            long savepoint = saved.ids().get("1");
            JobStatus stopped = cluster.awaitJob("savepoint", r -> r.state().done(), Duration.ofSeconds(30));
            assertEquals(JobState.CANCELLED, stopped.state());
            assertTrue(stopped.message().contains("savepoint " + savepoint), stopped.message());
            assertEquals(
                    List.of(CheckpointId.of(savepoint)),
                    storage.list(FileLayout.savepointsOf(pipeline)),
                    "the savepoint is stored apart from the checkpoints");
            assertTrue(stopped.recordsCommitted() < records, "stopped mid-job");

            cluster.submit(job, new RestoreRequest(CheckpointType.SAVEPOINT, savepoint));

            JobStatus resumed = cluster.awaitJob(
                    "savepoint",
                    r -> r.state() == JobState.RUNNING && r.restoredFrom().startsWith("savepoint"),
                    Duration.ofSeconds(30));
            assertEquals("savepoint " + savepoint + " (storage)", resumed.restoredFrom());
            JobStatus done = cluster.awaitJob("savepoint", r -> r.state().done(), Duration.ofSeconds(90));
            assertEquals(JobState.FINISHED, done.state(), done.message());
            Demo.assertExactlyOnce(output, records);
            assertTrue(done.checkpointsCompleted() > 3 + 3, "retention ran many times meanwhile");
            assertEquals(
                    List.of(CheckpointId.of(savepoint)),
                    storage.list(FileLayout.savepointsOf(pipeline)),
                    "retention never prunes a savepoint");
            assertEquals(3, storage.list(pipeline).size());
        }
    }

    /**
     * The documented way back to a release that reads only snapshot format 1 (operations.md,
     * "Manifests and parts"): set {@code inline-state-limit} above the largest state, restart the
     * members, take a savepoint. Before, the job's checkpoints are manifests (format 2, which such
     * a release refuses); the savepoint is format 1 with every state inline, and restores exactly.
     */
    @Test
    void theDowngradeRecipe_givesAFormat1Savepoint_thatRestoresExactly() throws Exception {
        long records = 60_000;
        Path output = dir.resolve("down");
        Map<String, String> storageConfig =
                Map.of("namespace", dir.resolve("ckpt-down").toString());
        var job = Demo.job("downgrade", records, 4, 10_000, output);
        PipelineKey pipeline = PipelineKey.of("downgrade", "1");
        try (CheckpointStorage storage = CheckpointStorageFactories.find(
                        "hdfs", getClass().getClassLoader())
                .create(storageConfig)) {
            try (TestCluster parts = TestCluster.start(
                    2, TestCluster.engine("interval: 200\ninline-state-limit: 0", "hdfs", storageConfig, 1))) {
                parts.submit(job);
                parts.awaitJob("downgrade", r -> r.lastCommittedId() > 0, Duration.ofSeconds(30));
            }
            List<CheckpointId> stored = storage.list(pipeline);
            assertEquals(
                    SnapshotCodec.MANIFEST_VERSION,
                    SnapshotCodec.readHeader(storage.load(pipeline, stored.get(stored.size() - 1))
                                    .orElseThrow())
                            .version(),
                    "before: the newest checkpoint is a manifest");

            var inline = TestCluster.engine("interval: 200\ninline-state-limit: 1048576", "hdfs", storageConfig, 1);
            long savepoint;
            try (TestCluster restarted = TestCluster.start(2, inline)) {
                restarted.submit(job);
                restarted.awaitJob(
                        "downgrade",
                        r -> r.state() == JobState.RUNNING && r.restoredFrom().startsWith("checkpoint"),
                        Duration.ofSeconds(30));
                savepoint = restarted
                        .handle("downgrade")
                        .savepoint(true)
                        .get(2, TimeUnit.MINUTES)
                        .ids()
                        .get("1");
                restarted.awaitJob("downgrade", r -> r.state().done(), Duration.ofSeconds(30));
            }
            byte[] blob = storage.load(FileLayout.savepointsOf(pipeline), CheckpointId.of(savepoint))
                    .orElseThrow();
            assertEquals(1, SnapshotCodec.readHeader(blob).version(), "the savepoint is format 1");
            assertTrue(
                    SnapshotCodec.decode(blob).taskStates().stream().allMatch(TaskState::inline),
                    "every state inline: it names no part");

            try (TestCluster older = TestCluster.start(2, inline)) {
                older.submit(job, new RestoreRequest(CheckpointType.SAVEPOINT, savepoint));
                JobStatus done = older.awaitJob("downgrade", r -> r.state().done(), Duration.ofSeconds(90));
                assertEquals(JobState.FINISHED, done.state(), done.message());
                assertEquals("savepoint " + savepoint + " (storage)", done.restoredFrom());
            }
            Demo.assertExactlyOnce(output, records);
        }
    }

    @Test
    void restoringAMissingSavepoint_failsTheJobClearly_andWritesNothing() throws Exception {
        Path output = dir.resolve("missing");
        var config = TestCluster.engine(
                "interval: 200",
                "hdfs",
                Map.of("namespace", dir.resolve("ckpt2").toString()),
                1);
        try (TestCluster cluster = TestCluster.start(3, config)) {
            var job = Demo.job("no-savepoint", 10_000, 2, 0, output);

            cluster.submit(job, new RestoreRequest(CheckpointType.SAVEPOINT, 77));

            JobStatus failed = cluster.awaitJobState("no-savepoint", JobState.FAILED, Duration.ofSeconds(30));
            assertTrue(
                    failed.message().contains("savepoint 77 of job no-savepoint pipeline 1 does not exist"),
                    failed.message());
            assertFalse(output.resolve("part-no-savepoint-1-0-1").toFile().exists());
            assertEquals(0, failed.recordsCommitted());
        }
    }

    /**
     * A savepoint whose every replica the cluster's memory lost before it reached storage (here:
     * its chunks deleted from the map while the storage hangs) can never be stored. The command (a
     * stop with savepoint) fails saying so, not "stored", and does not stop the job, which has no
     * savepoint to be resumed from; the job's record warns until a newer one is stored. No
     * periodic checkpoints (interval 10 min), so nothing newer clears the warning before the test
     * looks: savepoints are the job's only checkpoints here.
     */
    @Test
    void aSavepointTheClusterLostBeforeItWasStored_failsTheCommand_warns_andTheJobGoesOn() throws Exception {
        var config = TestCluster.engine(
                "interval: 600000\ntimeout: 10000\ninline-state-limit: 0", // every state a part, in chunks
                "localfile",
                Map.of("namespace", dir.resolve("ckpt").toString()),
                0,
                "",
                "call-timeout: 1000");
        try (TestCluster cluster = TestCluster.start(1, config, FaultyStorage::new)) {
            cluster.submit(Demo.job("lost", 10_000_000, 2, 2_000, dir.resolve("out")));
            long first = savepointOnceStarted(cluster, "lost");

            Faults.HANGING_JOBS.add("lost");
            CompletableFuture<Savepoint> command = cluster.handle("lost").savepoint(true);
            JobStatus taken = cluster.awaitJob(
                    "lost",
                    r -> r.history().stream()
                            .anyMatch(s -> s.type() == CheckpointType.SAVEPOINT && s.completed() && s.id() > first),
                    Duration.ofSeconds(30));
            long id = taken.history().stream()
                    .filter(s -> s.type() == CheckpointType.SAVEPOINT && s.completed())
                    .mapToLong(CheckpointStats::id)
                    .max()
                    .orElseThrow();
            assertTrue(cluster.loseChunks("lost", id) > 0, "the savepoint's chunks were in the map");
            Faults.HANGING_JOBS.remove("lost"); // the storage answers again

            ExecutionException failed = assertThrows(ExecutionException.class, () -> command.get(60, TimeUnit.SECONDS));
            assertTrue(
                    String.valueOf(failed.getCause().getMessage())
                            .contains("savepoint " + id + " of job lost pipeline 1 cannot be stored"),
                    "the command says the savepoint will never be stored: " + failed.getCause());
            assertTrue(
                    String.valueOf(failed.getCause().getMessage()).endsWith("; the job keeps running"),
                    "and that the job was not stopped: " + failed.getCause());
            JobStatus warned = cluster.awaitJob(
                    "lost",
                    r -> r.warning() != null
                            && r.warning().contains("savepoint " + id + " cannot be stored and was given up"),
                    Duration.ofSeconds(30));
            assertEquals(JobState.RUNNING, warned.state(), "not stopped without a savepoint: " + warned.message());
            assertEquals(first, warned.lastCommittedId(), "nothing past the stored savepoint is committed");

            long next = savepointOnceStarted(cluster, "lost");
            JobStatus after = cluster.awaitJob(
                    "lost", r -> r.lastCommittedId() >= next && r.warning() == null, Duration.ofSeconds(30));
            assertEquals(JobState.RUNNING, after.state(), "the job goes on; a newer savepoint clears the warning");
        } finally {
            Faults.reset();
        }
    }

    /** Takes a savepoint of pipeline 1, asking again while the pipeline is still starting. */
    private static long savepointOnceStarted(TestCluster cluster, String job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return cluster.handle(job)
                        .savepoint(false)
                        .get(60, TimeUnit.SECONDS)
                        .ids()
                        .get("1");
            } catch (ExecutionException e) {
                if (!String.valueOf(e.getCause().getMessage()).contains("try again") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
