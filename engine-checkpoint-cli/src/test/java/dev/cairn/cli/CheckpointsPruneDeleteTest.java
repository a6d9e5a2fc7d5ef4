package dev.cairn.cli;

import static dev.cairn.cli.CheckpointFixtures.contents;
import static dev.cairn.cli.CheckpointFixtures.file;
import static dev.cairn.cli.CheckpointFixtures.flipByte;
import static dev.cairn.cli.CheckpointFixtures.storeCheckpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.cli.CheckpointFixtures.Result;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code cairn checkpoints prune|delete}: dry runs change nothing, {@code --yes} deletes exactly what it says. */
class CheckpointsPruneDeleteTest extends LocalStorageTest {

    /** {@link #populate()} plus checkpoints 5 and 6 of job-a pipeline 1: five checkpoints and a savepoint there. */
    void populateMore() throws Exception {
        populate();
        storeCheckpoint(storage, "job-a", "1", 5, 100);
        storeCheckpoint(storage, "job-a", "1", 6, 100);
    }

    List<CheckpointId> ids(String job, String pipeline) throws Exception {
        return storage.list(PipelineKey.of(job, pipeline));
    }

    static List<CheckpointId> ids(long... ids) {
        return Arrays.stream(ids).mapToObj(CheckpointId::of).toList();
    }

    // ---- prune ----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Backend.class)
    void prune_withoutYes_printsWhatItWouldDelete_andChangesNothing(Backend backend) throws Exception {
        open(backend);
        populateMore();
        Map<String, String> before = contents(storage);

        Result result = checkpoints("prune", "--job", "job-a", "--keep", "2");

        assertEquals(0, result.status(), result.all());
        assertEquals(before, contents(storage));
        assertEquals(
                List.of(
                        "would delete job job-a pipeline 1 checkpoint 1",
                        "would delete job job-a pipeline 1 checkpoint 2",
                        "would delete job job-a pipeline 1 checkpoint 3"),
                result.out().lines().limit(3).toList());
        assertEquals(4, result.out().lines().count(), result.out());
        assertTrue(result.out().contains("dry run; run again with --yes to delete"), result.out());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void pruneYes_leavesTheNewestNOfEachPipeline_andEverySavepoint_andOtherJobs(Backend backend) throws Exception {
        open(backend);
        populateMore();
        Map<String, String> otherJob = jobContents("job-b");
        Map<String, String> savepoints = filter(contents(storage), "job-a/1.savepoints/");

        Result result = checkpoints("prune", "--job", "job-a", "--keep", "1", "--yes");

        assertEquals(0, result.status(), result.all());
        assertEquals(ids(6), ids("job-a", "1"));
        assertEquals(ids(2), ids("job-a", "2"));
        assertEquals(ids(100), ids("job-a", "1.ids"), "the engine's id lease is no checkpoint to prune");
        assertEquals(savepoints, filter(contents(storage), "job-a/1.savepoints/"));
        assertEquals(otherJob, jobContents("job-b"));
        assertTrue(result.out().contains("deleted job job-a pipeline 1 checkpoint 5\n"), result.out());
        assertTrue(result.out().contains("deleted job job-a pipeline 2 checkpoint 1\n"), result.out());
        assertTrue(result.out().contains("pruned 5 checkpoints of job job-a"), result.out());
    }

    @Test
    void prune_keepBelowOne_isAUsageError_andChangesNothing() throws Exception {
        open(Backend.LOCAL_DISK);
        populateMore();
        Map<String, String> before = contents(storage);

        Result result = checkpoints("prune", "--job", "job-a", "--keep", "0", "--yes");

        assertEquals(2, result.status(), result.all());
        assertTrue(result.err().startsWith("--keep must be at least 1"), result.err());
        assertEquals(before, contents(storage));
    }

    @Test
    void delete_theIdLease_isRefused_andChangesNothing() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();
        Map<String, String> before = contents(storage);

        Result result = checkpoints("delete", "--job", "job-a", "--pipeline", "1.ids", "--id", "100", "--yes");

        assertEquals(2, result.status(), result.all());
        assertTrue(result.err().contains("holds the engine's checkpoint id lease"), result.err());
        assertEquals(before, contents(storage));
    }

    @Test
    void prune_pipelineWhoseNewestDoNotVerify_isLeftAlone_andExitsOne() throws Exception {
        open(Backend.LOCAL_DISK);
        populateMore();
        flipByte(file(namespace, "job-a", "2", 2), SnapshotCodec.HEADER_SIZE);

        Result result = checkpoints("prune", "--job", "job-a", "--keep", "1", "--yes");

        assertEquals(1, result.status(), result.all());
        assertEquals(ids(1, 2), ids("job-a", "2"), "the only valid checkpoint of pipeline 2 is kept");
        assertEquals(ids(6), ids("job-a", "1"), "pipeline 1 is pruned all the same");
        assertTrue(result.err().startsWith("not pruning job job-a pipeline 2: none of its newest 1"), result.err());
    }

    @Test
    void prune_absentJob_saysSo_andExitsOne() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();

        Result result = checkpoints("prune", "--job", "job-zz", "--keep", "1");

        assertEquals(1, result.status());
        assertTrue(result.err().startsWith("no job job-zz in hdfs plugin"), result.err());
    }

    // ---- delete ---------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Backend.class)
    void deleteJob_dryRunChangesNothing_thenYesDeletesThatJobOnly(Backend backend) throws Exception {
        open(backend);
        populate();
        Map<String, String> before = contents(storage);
        Map<String, String> otherJob = jobContents("job-b");

        Result dryRun = checkpoints("delete", "--job", "job-a");

        assertEquals(0, dryRun.status(), dryRun.all());
        assertEquals(before, contents(storage));
        assertTrue(dryRun.out().contains("would delete job job-a pipeline 1.savepoints savepoint 4\n"), dryRun.out());
        assertTrue(dryRun.out().contains("would delete job job-a: 5 checkpoints and 1 savepoint\n"), dryRun.out());
        assertTrue(dryRun.out().endsWith("dry run; run again with --yes to delete\n"), dryRun.out());

        Result yes = checkpoints("delete", "--job", "job-a", "--yes");

        assertEquals(0, yes.status(), yes.all());
        assertTrue(yes.out().startsWith("deleted job job-a: 5 checkpoints and 1 savepoint from "), yes.out());
        assertEquals(List.of(JobId.of("job-b")), storage.jobs());
        assertEquals(otherJob, contents(storage));
    }

    @Test
    void deleteOneCheckpoint_dryRunChangesNothing_thenYesDeletesItOnly() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();
        Map<String, String> before = contents(storage);

        Result dryRun = checkpoints("delete", "--job", "job-a", "--pipeline", "1", "--id", "2");

        assertEquals(0, dryRun.status(), dryRun.all());
        assertEquals(
                "would delete job job-a pipeline 1 checkpoint 2\ndry run; run again with --yes to delete\n",
                dryRun.out());
        assertEquals(before, contents(storage));

        Result yes = checkpoints("delete", "--job", "job-a", "--pipeline", "1", "--id", "2", "--yes");

        assertEquals(0, yes.status(), yes.all());
        Map<String, String> expected = new TreeMap<>(before);
        expected.remove("job-a/1/2");
        assertEquals(expected, contents(storage));
    }

    @Test
    void deleteSavepoint_needsItsSavepointsPipeline() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();

        Result byPlainName = checkpoints("delete", "--job", "job-a", "--pipeline", "1", "--id", "4", "--yes");

        assertEquals(1, byPlainName.status(), byPlainName.all());
        assertTrue(byPlainName.err().contains("to delete it, pass --pipeline 1.savepoints"), byPlainName.err());
        assertEquals(ids(4), ids("job-a", "1.savepoints"));

        Result bySavepointsName =
                checkpoints("delete", "--job", "job-a", "--pipeline", "1.savepoints", "--id", "4", "--yes");

        assertEquals(0, bySavepointsName.status(), bySavepointsName.all());
        assertEquals(List.of(), ids("job-a", "1.savepoints"));
        assertEquals(ids(1, 2, 3), ids("job-a", "1"));
    }

    @Test
    void delete_pipelineWithoutId_orIdWithoutPipeline_isAUsageError() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();
        Map<String, String> before = contents(storage);

        Result noId = checkpoints("delete", "--job", "job-a", "--pipeline", "1", "--yes");
        Result noPipeline = checkpoints("delete", "--job", "job-a", "--id", "1", "--yes");

        assertEquals(2, noId.status(), noId.all());
        assertEquals(2, noPipeline.status(), noPipeline.all());
        assertTrue(noId.err().startsWith("--pipeline and --id go together"), noId.err());
        assertEquals(before, contents(storage));
    }

    @Test
    void delete_absentCheckpointOrJob_saysSo_andExitsOne() throws Exception {
        open(Backend.LOCAL_DISK);
        populate();

        Result checkpoint = checkpoints("delete", "--job", "job-a", "--pipeline", "2", "--id", "9", "--yes");
        Result job = checkpoints("delete", "--job", "job-zz", "--yes");

        assertEquals(1, checkpoint.status());
        assertTrue(
                checkpoint.err().startsWith("no job job-a pipeline 2 checkpoint 9 in hdfs plugin"), checkpoint.err());
        assertEquals(1, job.status());
        assertTrue(job.err().startsWith("no job job-zz in "), job.err());
        assertFalse(checkpoint.err().contains("\tat "), checkpoint.err());
    }

    private Map<String, String> jobContents(String job) throws Exception {
        return filter(contents(storage), job + "/");
    }

    private static Map<String, String> filter(Map<String, String> all, String prefix) {
        Map<String, String> some = new TreeMap<>(all);
        some.keySet().removeIf(k -> !k.startsWith(prefix));
        return some;
    }
}
