package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.ClusterAddress;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.config.ConfigLoader;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.cli.CheckpointFixtures.Result;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn job submit} and {@code job run} as a script runs them: to the end, with the exit
 * status saying how the job ended; and the one-line errors of a cluster that cannot be reached.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JobCommandTest {
    @TempDir
    static Path dir;

    private static Path config;
    private static CairnMember member;
    private static String address;

    @BeforeAll
    static void startMember() throws Exception {
        config = CheckpointFixtures.localDiskConfig(dir.resolve("seatunnel.yaml"), dir.resolve("ckpt"));
        Files.writeString(
                config,
                Files.readString(config).replace("    checkpoint:\n", "    checkpoint:\n      interval: 200\n"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Config hazelcast = CairnMember.localConfig();
        hazelcast.setClusterName("cairn");
        hazelcast.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        member = CairnMember.start(
                new ConfigLoader(System::getenv, JobCommandTest.class.getClassLoader()).load(config),
                hazelcast,
                JobCommandTest.class.getClassLoader());
        address = "127.0.0.1:" + port;
    }

    @AfterAll
    static void stopMember() {
        member.close();
    }

    private static String[] demo(String command, String id, int records, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "job",
                command,
                "--type",
                "demo",
                "--job-id",
                id,
                "-p",
                "records=" + records,
                "-p",
                "parallelism=2",
                "-p",
                "output=" + dir.resolve(id)));
        args.addAll(java.util.List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void run_inThisProcess_followsTheJobToItsEnd() {
        Result result =
                CheckpointFixtures.cairn(demo("run", "run-1", 20_000, "-p", "rate=0", "--config", config.toString()));

        assertEquals(0, result.status(), result.all());
        assertTrue(result.out().contains("job run-1 (demo) submitted in this process"), result.out());
        assertTrue(result.out().contains("finished: 20,000 records committed | checkpoints"), result.out());
        assertTrue(result.out().contains("job run-1 finished: 20,000 records committed"), result.out());

        // Run again with its id: it had finished, and says so; nothing new runs.
        Result again =
                CheckpointFixtures.cairn(demo("run", "run-1", 20_000, "-p", "rate=0", "--config", config.toString()));

        assertEquals(0, again.status(), again.all());
        assertTrue(again.out().contains("job run-1 had already finished; nothing new was run"), again.out());
    }

    @Test
    void submit_toMembers_followsTheJobToItsEnd() {
        Result result =
                CheckpointFixtures.cairn(demo("submit", "submit-1", 20_000, "-p", "rate=0", "--cluster", address));

        assertEquals(0, result.status(), result.all());
        assertTrue(result.out().contains("job submit-1 (demo) submitted to [" + address + "]"), result.out());
        assertTrue(result.out().contains("job submit-1 finished: 20,000 records committed"), result.out());
    }

    @Test
    void refusedJobs_endWithStatus2_andSayWhy() {
        Result unknown =
                CheckpointFixtures.cairn("job", "run", "--type", "no-such-type", "--config", config.toString());
        assertEquals(2, unknown.status(), unknown.all());
        assertTrue(unknown.err().contains("no job type 'no-such-type'; available: "), unknown.err());

        Result invalid =
                CheckpointFixtures.cairn("job", "submit", "--type", "demo", "-p", "records=many", "--cluster", address);
        assertEquals(2, invalid.status(), invalid.all());
        assertTrue(invalid.err().contains("records"), invalid.err());

        Result restoreWithoutId = CheckpointFixtures.cairn(
                "job", "submit", "--type", "demo", "--from-savepoint", "3", "--cluster", address);
        assertEquals(2, restoreWithoutId.status(), restoreWithoutId.all());
        assertTrue(restoreWithoutId.err().contains("restoring needs the --job-id"), restoreWithoutId.err());

        Result both = CheckpointFixtures.cairn( // refused before it would reach the (absent) cluster
                "job",
                "submit",
                "--type",
                "demo",
                "--job-id",
                "j",
                "--from-savepoint",
                "3",
                "--from-checkpoint",
                "4",
                "--cluster",
                "127.0.0.1:1");
        assertEquals(2, both.status(), both.all());
        assertTrue(both.err().contains("give --from-savepoint or --from-checkpoint, not both"), both.err());
    }

    @Test
    void help_namesEachOptionOnce() {
        for (String command : List.of("submit", "run")) {
            Result help = CheckpointFixtures.cairn("job", command, "--help");
            assertEquals(0, help.status(), help.all());
            for (String option :
                    List.of("--from-savepoint=ID ", "--from-checkpoint=ID ", "--job-id=ID ", "--type=TYPE ")) {
                assertEquals(
                        1,
                        help.out().split(java.util.regex.Pattern.quote("      " + option), -1).length - 1,
                        help.out());
            }
        }
        Result job = CheckpointFixtures.cairn("job", "--help");
        assertEquals(0, job.status(), job.all());
        assertTrue(job.out().contains("submit") && job.out().contains("savepoint"), job.out());
    }

    @Test
    void aMissingRestorePoint_failsTheJob_withStatus1_andItsReason() {
        Result result = CheckpointFixtures.cairn(
                demo("submit", "missing-sp", 1_000, "--from-savepoint", "777", "--cluster", address));

        assertEquals(1, result.status(), result.all());
        assertTrue(result.err().contains("job missing-sp failed (RESTORE_POINT_UNUSABLE): "), result.err());
        assertTrue(result.err().contains("777"), result.err());
    }

    @Test
    void aJobCancelledWhileFollowed_endsWithStatus3() throws Exception {
        CompletableFuture<Result> followed = CompletableFuture.supplyAsync(() -> CheckpointFixtures.cairn(
                demo("submit", "cancelled-1", 5_000_000, "-p", "rate=5000", "--cluster", address)));
        try (CairnEngine engine = CairnEngine.connect(ClusterAddress.of("cairn", address))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (engine.job(JobId.of("cancelled-1"))
                            .flatMap(j -> j.status())
                            .map(JobStatus::checkpointsCommitted)
                            .orElse(0L)
                    < 1) {
                assertTrue(System.nanoTime() < deadline, "no checkpoint committed");
                Thread.sleep(50);
            }
            Result cancel = CheckpointFixtures.cairn("job", "cancel", "--job", "cancelled-1", "--cluster", address);
            assertEquals(0, cancel.status(), cancel.all());
            assertEquals("job cancelled-1 cancelled", cancel.out().strip());
        }

        Result result = followed.get(60, TimeUnit.SECONDS);

        assertEquals(3, result.status(), result.all());
        assertTrue(
                result.out().contains("job cancelled-1 was cancelled; resume it with --job-id cancelled-1"),
                result.out());
    }

    @Test
    void detach_returnsOnceAccepted_andTheJobRunsOn() throws Exception {
        Result result = CheckpointFixtures.cairn(
                demo("submit", "detached-1", 5_000_000, "-p", "rate=5000", "--detach", "--cluster", address));

        assertEquals(0, result.status(), result.all());
        Result list = CheckpointFixtures.cairn("job", "list", "--cluster", address);
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("detached-1") && !l.contains("FINISHED")), list.out());
        Result saved =
                CheckpointFixtures.cairn("job", "savepoint", "--stop", "--job", "detached-1", "--cluster", address);
        assertEquals(0, saved.status(), saved.all());
        assertTrue(saved.out().matches("job detached-1: pipeline 1: savepoint \\d+; job stopped\\s*"), saved.out());
    }

    @Test
    void aWrongClusterName_isOneLine_namingTheOption() throws IOException {
        Result result = CheckpointFixtures.cairn("job", "list", "--cluster", address, "--cluster-name", "other");

        assertEquals(1, result.status(), result.all());
        assertEquals(1, result.err().strip().lines().count(), "one line, no client logging: " + result.err());
        assertTrue(result.err().contains("refused the cluster name 'other'"), result.err());
        assertTrue(result.err().contains("--cluster-name"), result.err());
    }

    @Test
    void nothingListening_isOneLine() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        Result result = CheckpointFixtures.cairn("job", "list", "--cluster", "127.0.0.1:" + port);

        assertEquals(1, result.status(), result.all());
        assertEquals(
                "cannot reach the cluster: nothing listens at 127.0.0.1:" + port,
                result.err().strip());
    }
}
