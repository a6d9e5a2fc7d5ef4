package dev.cairn.cli;

import static dev.cairn.cli.CheckpointFixtures.cairn;
import static dev.cairn.cli.CheckpointFixtures.contents;
import static dev.cairn.cli.CheckpointFixtures.file;
import static dev.cairn.cli.CheckpointFixtures.flipByte;
import static dev.cairn.cli.CheckpointFixtures.storeCheckpoint;
import static dev.cairn.cli.CheckpointFixtures.storeSavepoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.storage.testbed.S3Server;
import dev.cairn.cli.CheckpointFixtures.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn checkpoints copy} between the local disk and S3 (a real S3 server in this JVM that
 * checks signatures), its resumption after an interruption, and that no command ever prints the
 * S3 credentials.
 */
class CheckpointsCopyTest {
    static final String BUCKET = "cairn-cli";
    static S3Server s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3Server.start();
        s3.createBucket(BUCKET);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    /** A config of the S3 server, under its own namespace: a fresh, empty storage for each test. */
    Path s3Config(String name) throws Exception {
        return CheckpointFixtures.config(
                dir.resolve(name + ".yaml"),
                "hdfs",
                s3.pluginConfig(BUCKET, "/" + dir.getFileName() + "/" + name + "/"));
    }

    /** job-a: pipeline 1 checkpoints 1-3 and savepoint 4, pipeline 2 checkpoint 1; job-b: pipeline 1 checkpoint 7. */
    static void populate(CheckpointStorage storage) throws Exception {
        CheckpointFixtures.storeIdLease(storage, "job-a", "1", 100); // not counted, but copied along
        storeCheckpoint(storage, "job-a", "1", 1, 1000, 2000);
        storeCheckpoint(storage, "job-a", "1", 2, 1000, 2000);
        storeCheckpoint(storage, "job-a", "1", 3, 1000, 2000);
        storeSavepoint(storage, "job-a", "1", 4, 500);
        storeCheckpoint(storage, "job-a", "2", 1, 10);
        storeCheckpoint(storage, "job-b", "1", 7, 70_000);
    }

    static Result copy(Path from, Path to, String... more) {
        List<String> args = new ArrayList<>(
                List.of("checkpoints", "copy", "--config", from.toString(), "--to-config", to.toString()));
        args.addAll(List.of(more));
        return cairn(args.toArray(String[]::new));
    }

    @Test
    void copy_localDiskToS3_thenS3ToLocalDisk_keepsEveryByteAndTheLayout() throws Exception {
        Path local = CheckpointFixtures.localDiskConfig(dir.resolve("local.yaml"), dir.resolve("local"));
        Path remote = s3Config("remote");
        Path back = CheckpointFixtures.localfileConfig(dir.resolve("back.yaml"), dir.resolve("back"));
        Map<String, String> original;
        try (CheckpointStorage source = CheckpointFixtures.open(local)) {
            populate(source);
            original = contents(source);
        }

        Result up = copy(local, remote);
        Result down = copy(remote, back);

        assertEquals(0, up.status(), up.all());
        assertTrue(up.out().startsWith("copied 6 ("), up.out());
        assertTrue(up.out().contains("0 already present (skipped), 0 bad (not copied)"), up.out());
        assertTrue(up.err().contains("copied job job-a pipeline 1.savepoints savepoint 4 ("), up.err());
        assertEquals(0, down.status(), down.all());
        assertTrue(down.out().startsWith("copied 6 ("), down.out());
        try (CheckpointStorage onS3 = CheckpointFixtures.open(remote);
                CheckpointStorage onDisk = CheckpointFixtures.open(back)) {
            assertEquals(original, contents(onS3));
            assertEquals(original, contents(onDisk));
        }
        Result verifyS3 = cairn("checkpoints", "verify", "--config", remote.toString());
        assertEquals(0, verifyS3.status(), verifyS3.all());
        assertTrue(verifyS3.out().startsWith("6 checked, 0 bad"), verifyS3.out());
    }

    @Test
    void copyJob_copiesThatJobOnly_andAgain_findsEverythingPresent() throws Exception {
        Path local = CheckpointFixtures.localDiskConfig(dir.resolve("local.yaml"), dir.resolve("local"));
        Path remote = s3Config("one-job");
        try (CheckpointStorage source = CheckpointFixtures.open(local)) {
            populate(source);
        }

        Result first = copy(local, remote, "--job", "job-b");
        Result again = copy(local, remote, "--job", "job-b");

        assertEquals(0, first.status(), first.all());
        assertTrue(
                first.out().startsWith("copied 1 (" + jobBBlobSize(local) + " bytes), 0 already present"), first.out());
        assertEquals(0, again.status(), again.all());
        assertTrue(again.out().startsWith("copied 0 (0 bytes), 1 already present (skipped)"), again.out());
        try (CheckpointStorage onS3 = CheckpointFixtures.open(remote)) {
            assertEquals(List.of(JobId.of("job-b")), onS3.jobs());
        }
    }

    private static int jobBBlobSize(Path config) throws Exception {
        try (CheckpointStorage storage = CheckpointFixtures.open(config)) {
            return storage.load(PipelineKey.of("job-b", "1"), CheckpointId.of(7))
                    .orElseThrow()
                    .length;
        }
    }

    @Test
    void copy_badCheckpoint_isReportedAndNotCopied_andExitsOne() throws Exception {
        Path namespace = dir.resolve("local");
        Path local = CheckpointFixtures.localDiskConfig(dir.resolve("local.yaml"), namespace);
        Path target = CheckpointFixtures.localfileConfig(dir.resolve("target.yaml"), dir.resolve("target"));
        try (CheckpointStorage source = CheckpointFixtures.open(local)) {
            populate(source);
        }
        flipByte(file(namespace, "job-a", "1", 2), SnapshotCodec.HEADER_SIZE + 2);

        Result result = copy(local, target);

        assertEquals(1, result.status(), result.all());
        assertTrue(
                result.err().contains("bad, not copied: job job-a pipeline 1 checkpoint 2: CHECKSUM_MISMATCH"),
                result.err());
        assertTrue(result.out().startsWith("copied 5 ("), result.out());
        assertTrue(result.out().contains("1 bad (not copied)"), result.out());
        try (CheckpointStorage copied = CheckpointFixtures.open(target)) {
            assertFalse(contents(copied).containsKey("job-a/1/2"));
            assertEquals(5 + 1, contents(copied).size(), "5 checkpoints and the id lease");
            assertTrue(contents(copied).containsKey("job-a/1.ids/100"));
        }
    }

    @Test
    void copy_interruptedByAFailingTarget_thenRunAgain_resumesAndSkipsWhatIsThere() throws Exception {
        Path local = CheckpointFixtures.localDiskConfig(dir.resolve("local.yaml"), dir.resolve("local"));
        Path targetNamespace = dir.resolve("target");
        Path target = CheckpointFixtures.localfileConfig(dir.resolve("target.yaml"), targetNamespace);
        Map<String, String> original;
        try (CheckpointStorage source = CheckpointFixtures.open(local)) {
            populate(source);
            original = contents(source);
        }
        // A file where the target's directory of job-a pipeline 2 must go: the target fails there (its
        // load, before the store, finds "not a directory"), after job-a pipeline 1 and its savepoints
        // are copied (copy goes job by job, pipeline by pipeline).
        Path blocker = targetNamespace.resolve("job-a").resolve("2");
        Files.createDirectories(blocker.getParent());
        Files.writeString(blocker, "in the way");

        Result interrupted = copy(local, target);

        assertEquals(1, interrupted.status(), interrupted.all());
        assertTrue(
                interrupted.err().contains("copy stopped at job job-a pipeline 2 checkpoint 1: cannot load checkpoint"),
                interrupted.err());
        assertTrue(interrupted.err().contains("run the same command again to resume"), interrupted.err());
        assertTrue(
                interrupted.out().startsWith("stopped at job job-a pipeline 2 checkpoint 1: copied 4 ("),
                interrupted.out());

        Files.delete(blocker);
        Result resumed = copy(local, target);

        assertEquals(0, resumed.status(), resumed.all());
        assertTrue(resumed.out().startsWith("copied 2 ("), resumed.out());
        assertTrue(resumed.out().contains("4 already present (skipped), 0 bad"), resumed.out());
        assertTrue(resumed.err().contains("already present: job job-a pipeline 1 checkpoint 3"), resumed.err());
        try (CheckpointStorage copied = CheckpointFixtures.open(target)) {
            assertEquals(original, contents(copied));
        }
    }

    @Test
    void copy_targetHoldingDifferentBytes_isReplacedWithTheSources_andSaysSo() throws Exception {
        Path local = CheckpointFixtures.localDiskConfig(dir.resolve("local.yaml"), dir.resolve("local"));
        Path target = CheckpointFixtures.localfileConfig(dir.resolve("target.yaml"), dir.resolve("target"));
        Map<String, String> original;
        try (CheckpointStorage source = CheckpointFixtures.open(local);
                CheckpointStorage other = CheckpointFixtures.open(target)) {
            populate(source);
            original = contents(source);
            storeCheckpoint(other, "job-b", "1", 7, 3);
        }

        Result result = copy(local, target);

        assertEquals(0, result.status(), result.all());
        assertTrue(result.err().contains("the target holds different bytes"), result.err());
        assertTrue(result.out().contains("1 of them over different bytes"), result.out());
        try (CheckpointStorage copied = CheckpointFixtures.open(target)) {
            assertEquals(original, contents(copied));
        }
    }

    @Test
    void copy_invalidTargetConfig_isAUsageErrorNamingToConfig() throws Exception {
        Path local = CheckpointFixtures.localDiskConfig(dir.resolve("local.yaml"), dir.resolve("local"));

        Result result = copy(local, dir.resolve("absent.yaml"));

        assertEquals(2, result.status(), result.all());
        assertEquals("--to-config: " + dir.resolve("absent.yaml") + ": no such file\n", result.err());
    }

    @Test
    void noCommand_printsTheS3Secret_inOutputOrErrors() throws Exception {
        Path remote = s3Config("secret");
        Path local = CheckpointFixtures.localDiskConfig(dir.resolve("local.yaml"), dir.resolve("local"));
        try (CheckpointStorage storage = CheckpointFixtures.open(remote)) {
            populate(storage);
        }
        // The same server and keys, but a bucket that does not exist: the storage fails.
        Path broken =
                CheckpointFixtures.config(dir.resolve("broken.yaml"), "hdfs", s3.pluginConfig("no-such-bucket", "/x/"));
        String c = remote.toString();
        List<Result> results = List.of(
                cairn("checkpoints", "list", "--config", c),
                cairn("checkpoints", "list", "--json", "--config", c),
                cairn("checkpoints", "show", "job-a", "1", "3", "--config", c),
                cairn("checkpoints", "show", "job-a", "1", "99", "--config", c),
                cairn("checkpoints", "verify", "--config", c),
                cairn("checkpoints", "prune", "--job", "job-a", "--keep", "1", "--config", c),
                cairn("checkpoints", "prune", "--job", "job-a", "--keep", "2", "--yes", "--config", c),
                cairn("checkpoints", "delete", "--job", "job-b", "--config", c),
                cairn("checkpoints", "delete", "--job", "job-zz", "--config", c),
                copy(remote, local),
                copy(local, remote),
                cairn("checkpoints", "list", "--config", broken.toString()));

        for (Result result : results) {
            assertFalse(result.all().contains(S3Server.SECRET_KEY), result.all());
            assertFalse(result.all().contains(S3Server.ACCESS_KEY), result.all());
        }
        Result failing = results.get(results.size() - 1);
        assertEquals(1, failing.status(), failing.all());
        assertFalse(failing.err().contains("\tat "), failing.err());
        assertTrue(
                results.get(0).out().contains("s3a://" + BUCKET),
                "the storage is named: " + results.get(0).out());
    }
}
