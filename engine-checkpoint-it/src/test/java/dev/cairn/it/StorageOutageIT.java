package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.flush.PipelineFlusher;
import dev.cairn.checkpoint.storage.testbed.S3Server;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage goes away for about 20 s mid-job: checkpoints keep completing in the cluster's
 * memory until the flush backlog is full, then triggers wait; when the storage is back the flush
 * catches up, and nothing is lost.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StorageOutageIT {
    static S3Server s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3Server.start();
        s3.createBucket("outage");
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void storageDownFor20s_checkpointsContinueInMemory_commitsWait_memoryBounded_storageCatchesUp() throws Exception {
        long records = 300_000;
        Path output = dir.resolve("out");
        var config =
                TestCluster.engine("interval: 200\ntimeout: 15000", "hdfs", s3.pluginConfig("outage", "/ckpt/"), 1);
        try (TestCluster cluster = TestCluster.start(3, config)) {
            cluster.submit(Demo.job("outage", records, 4, 8_000, output));
            cluster.awaitJob("outage", r -> r.checkpointsCommitted() >= 3, Duration.ofSeconds(30));

            s3.stop();
            Thread.sleep(1_000); // a commit of a store that made it before the stop may still arrive
            JobStatus before = cluster.job("outage");
            int maxBacklog = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(19);
            JobStatus during = before;
            while (System.nanoTime() < deadline) {
                during = cluster.job("outage");
                maxBacklog = Math.max(maxBacklog, during.flushBacklog());
                assertEquals(JobState.RUNNING, during.state());
                Thread.sleep(50);
            }
            s3.restart();

            assertTrue(
                    during.checkpointsCompleted() > before.checkpointsCompleted() + 20,
                    "checkpoints never wait for the storage: " + before.checkpointsCompleted() + " -> "
                            + during.checkpointsCompleted());
            assertEquals(before.lastCommittedId(), during.lastCommittedId(), "nothing committed while it was down");
            assertEquals(before.recordsCommitted(), during.recordsCommitted(), "no sink committed a record");
            assertTrue(during.storageError() != null, "the record says why");
            assertTrue(maxBacklog >= 2, "checkpoints waited for the storage: " + maxBacklog);
            assertTrue(maxBacklog <= PipelineFlusher.MAX_BACKLOG, "memory stayed bounded: " + maxBacklog);
            long committedDuring = during.lastCommittedId();
            cluster.awaitJob(
                    "outage",
                    r -> r.lastCommittedId() > committedDuring && r.storageError() == null,
                    Duration.ofSeconds(60));

            JobStatus done = cluster.awaitJob("outage", r -> r.state().done(), Duration.ofSeconds(120));
            assertEquals(JobState.FINISHED, done.state(), done.message());
            assertEquals(0, done.restarts(), "a storage outage is no reason to restart anything");
            Demo.assertExactlyOnce(output, records);
        }
    }
}
