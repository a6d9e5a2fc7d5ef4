package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.flush.PipelineFlusher;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The namespace turns hostile under a running job, one way after another: its file system goes
 * read-only, then full, then the namespace is deleted, then a file takes its place. Each time the
 * job keeps running on its in-memory checkpoints (what the storage owes bounded), the job's record
 * names the failing path and why, and once the place is usable again the flush catches up. At the
 * end the output is exactly-once and every checkpoint the job kept is in storage.
 *
 * <p>Real failures, not fakes: the namespace is on a small tmpfs this test mounts, remounts
 * read-only and fills. That needs root; the test is skipped as a non-root user (and says so) and
 * fails if root cannot mount.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HostileNamespaceIT {
    private static final Duration BREAK = Duration.ofSeconds(4);

    @TempDir
    static Path dir;

    static Path mount;

    @BeforeAll
    static void mountTmpfs() throws Exception {
        assumeTrue(
                "root".equals(System.getProperty("user.name")),
                "mounting a tmpfs needs root; run as root (as CI does) to test a read-only and a full namespace");
        mount = dir.resolve("mnt");
        Files.createDirectories(mount);
        run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString());
    }

    @AfterAll
    static void unmount() throws Exception {
        if (mount != null) {
            run("umount", "-l", mount.toString());
        }
    }

    @ParameterizedTest(name = "storage type {0}")
    @ValueSource(strings = {"hdfs", "localfile"})
    void readOnly_full_deleted_blocked_jobRunsOn_recordNamesThePath_flushCatchesUp(String type) throws Exception {
        Path namespace = mount.resolve(type).resolve("ckpt");
        Path output = dir.resolve(type + "-out");
        long records = 2_000_000; // at 40,000 a second: longer than the four hostile phases
        var config =
                TestCluster.engine("interval: 200\ntimeout: 15000", type, Map.of("namespace", namespace.toString()), 1);
        try (TestCluster cluster = TestCluster.start(2, config)) {
            cluster.submit(Demo.job(type, records, 2, 40_000, output));
            awaitFlowing(cluster, type);

            hostile(cluster, type, "read-only", () -> remount("ro"), () -> remount("rw"), namespace, "Read-only");

            Path filler = mount.resolve("filler");
            hostile(cluster, type, "full", () -> fill(filler), () -> Files.delete(filler), namespace, "space");

            hostile(
                    cluster,
                    type,
                    "deleted",
                    () -> deleteTree(namespace.getParent()),
                    () -> {},
                    null, // a missing namespace is created again: nothing to report
                    null);

            hostile(
                    cluster,
                    type,
                    "blocked by a file",
                    () -> {
                        deleteTree(namespace.getParent());
                        Files.writeString(namespace.getParent(), "in the way");
                    },
                    () -> Files.delete(namespace.getParent()),
                    namespace.getParent(),
                    null);

            JobStatus done = cluster.awaitJob(type, r -> r.state().done(), Duration.ofSeconds(120));
            assertEquals(JobState.FINISHED, done.state(), done.message());
            assertEquals(0, done.restarts(), "a hostile namespace is no reason to restart anything");
            assertNull(done.storageError());
            Demo.assertExactlyOnce(output, records);
            assertTrue(Files.isDirectory(namespace.resolve(type)), "the job's checkpoints are in " + namespace);
        }
    }

    /**
     * Breaks the namespace for a while: the job runs on, checkpoints complete until the backlog is
     * full, the record says why (naming {@code path}, and {@code cause} if given); then repairs it
     * and waits until the flush has caught up.
     */
    private static void hostile(
            TestCluster cluster, String job, String what, Step breakIt, Step repair, Path path, String cause)
            throws Exception {
        JobStatus before = awaitFlowing(cluster, job);
        assertEquals(JobState.RUNNING, before.state(), "the job is still running when the namespace turns " + what);
        breakIt.run();
        int maxBacklog = 0;
        String error = null;
        long deadline = System.nanoTime() + BREAK.toNanos();
        while (System.nanoTime() < deadline) {
            JobStatus during = cluster.job(job);
            assertEquals(JobState.RUNNING, during.state(), what + ": " + during.message());
            maxBacklog = Math.max(maxBacklog, during.flushBacklog());
            error = during.storageError() != null ? during.storageError() : error;
            Thread.sleep(50);
        }
        JobStatus broken = cluster.job(job);
        repair.run();

        assertTrue(maxBacklog <= PipelineFlusher.MAX_BACKLOG, what + ": backlog bounded: " + maxBacklog);
        assertTrue(
                broken.checkpointsCompleted() > before.checkpointsCompleted(),
                what + ": checkpoints went on completing in memory");
        if (path != null) {
            assertTrue(maxBacklog >= 1, what + ": the storage owed checkpoints: " + maxBacklog);
            assertTrue(
                    broken.lastCheckpointId() > broken.lastCommittedId(),
                    what + ": commits waited for the storage: completed " + broken.lastCheckpointId() + ", committed "
                            + broken.lastCommittedId());
            assertTrue(
                    error != null && error.contains(path.toString()),
                    what + ": the record names " + path + ": " + error);
            assertTrue(cause == null || error.contains(cause), what + ": the record says why: " + error);
        }
        JobStatus after = cluster.awaitJob(
                job,
                r -> r.storageError() == null && r.lastCommittedId() > broken.lastCheckpointId(),
                Duration.ofSeconds(60));
        assertEquals(JobState.RUNNING, after.state(), what + ": still running after the repair");
    }

    /** Waits until the job is running and its checkpoints reach storage. */
    private static JobStatus awaitFlowing(TestCluster cluster, String job) {
        JobStatus now = cluster.job(job);
        long committed = now == null ? 0 : now.checkpointsCommitted();
        return cluster.awaitJob(
                job,
                r -> r.checkpointsCommitted() >= committed + 2 && r.storageError() == null,
                Duration.ofSeconds(60));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void remount(String mode) throws Exception {
        // A file being written keeps the file system busy for a moment: try again.
        for (int attempt = 1; ; attempt++) {
            try {
                run("mount", "-o", "remount," + mode, mount.toString());
                return;
            } catch (IOException busy) {
                if (attempt == 50) {
                    throw busy;
                }
                Thread.sleep(20);
            }
        }
    }

    /** Fills the file system to the last byte. */
    private static void fill(Path filler) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("space")) {
                throw full;
            }
        }
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            for (int i = 0; i < 64 * 1024; i++) {
                out.write(0); // the last partial chunk's worth, byte by byte
            }
        } catch (IOException full) {
            // full to the byte
        }
    }

    /** Deletes a tree the flusher may be writing into: whatever appears meanwhile goes too. */
    private static void deleteTree(Path root) throws Exception {
        for (int attempt = 1; Files.exists(root); attempt++) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException | java.io.UncheckedIOException raced) {
                if (attempt == 50) {
                    throw raced;
                }
                Thread.sleep(10);
            }
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }
}
