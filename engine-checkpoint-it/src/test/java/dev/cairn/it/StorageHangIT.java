package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobResult;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that hangs, without an error, on every call (a dead NFS mount, a black-holed endpoint)
 * while jobs run on one member: six jobs whose storage hangs and healthy ones beside them. The hang
 * holds back the hung jobs' commits and nothing else: their checkpoints, the healthy jobs, a job
 * submitted during the hang, and a cancel all go on.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StorageHangIT {
    private static final int HUNG = 6;

    @TempDir
    Path dir;

    @AfterEach
    void release() {
        Faults.reset();
    }

    @Test
    void sixJobsWhoseStoreHangs_stallNeitherOtherJobs_norTheirOwnCheckpoints_norNewJobs_norACancel() throws Exception {
        var config = TestCluster.engine(
                "interval: 100\ntimeout: 10000",
                "localfile",
                Map.of("namespace", dir.resolve("ckpt").toString()),
                0,
                "",
                "call-timeout: 1000");
        try (TestCluster cluster = TestCluster.start(1, config, FaultyStorage::new)) {
            List<String> hung = new ArrayList<>();
            for (int i = 0; i < HUNG; i++) {
                String id = "hung-" + i;
                hung.add(id);
                cluster.submit(Demo.job(id, 10_000_000, 1, 500, dir.resolve(id)));
            }
            cluster.submit(Demo.job("healthy", 10_000_000, 2, 2_000, dir.resolve("healthy")));
            for (String id : hung) {
                cluster.awaitJob(id, r -> r.checkpointsCommitted() >= 1, Duration.ofSeconds(60));
            }
            cluster.awaitJob("healthy", r -> r.checkpointsCommitted() >= 1, Duration.ofSeconds(60));

            Faults.HANGING_JOBS.addAll(hung);
            Thread.sleep(1_500); // calls under way when the hang began fail at their deadline
            JobStatus healthyBefore = cluster.job("healthy");
            List<JobStatus> hungBefore = hung.stream().map(cluster::job).toList();

            Thread.sleep(5_000);

            JobStatus healthyAfter = cluster.job("healthy");
            assertTrue(
                    healthyAfter.checkpointsCompleted() - healthyBefore.checkpointsCompleted() >= 15,
                    "the healthy job completes checkpoints (~50 due in 5 s): " + healthyBefore.checkpointsCompleted()
                            + " -> " + healthyAfter.checkpointsCompleted());
            assertTrue(
                    healthyAfter.lastCommittedId() > healthyBefore.lastCommittedId(),
                    "and commits them: " + healthyBefore.lastCommittedId() + " -> " + healthyAfter.lastCommittedId());
            for (int i = 0; i < HUNG; i++) {
                JobStatus before = hungBefore.get(i);
                JobStatus after = cluster.job(hung.get(i));
                assertTrue(
                        after.checkpointsCompleted() - before.checkpointsCompleted() >= 10,
                        hung.get(i) + ": its checkpoints never wait for its storage: " + before.checkpointsCompleted()
                                + " -> " + after.checkpointsCompleted());
                assertEquals(before.lastCommittedId(), after.lastCommittedId(), hung.get(i) + ": its commits wait");
                assertTrue(
                        after.storageError() != null
                                && (after.storageError().contains("did not answer within 1000 ms")
                                        || after.storageError().contains("have not returned")),
                        hung.get(i) + ": the record says the storage hangs: " + after.storageError());
            }

            Path late = dir.resolve("late");
            cluster.submit(Demo.job("late", 20_000, 2, 0, late));
            JobStatus lateDone = cluster.awaitJob("late", r -> r.state().done(), Duration.ofSeconds(60));
            assertEquals(JobState.FINISHED, lateDone.state(), lateDone.message());
            Demo.assertExactlyOnce(late, 20_000);

            // Its tasks stop at once: the cancel does not wait on the hung store.
            JobResult cancelled = cluster.handle(hung.get(0)).cancel().get(50, TimeUnit.SECONDS);
            assertEquals(JobState.CANCELLED, cancelled.state());
            assertEquals(JobState.CANCELLED, cluster.job(hung.get(0)).state());
        }
    }
}
