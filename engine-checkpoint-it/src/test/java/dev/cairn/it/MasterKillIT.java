package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A hard kill of the master: the job masters, coordinators and flushers move to the next member. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MasterKillIT {
    @TempDir
    Path dir;

    @Test
    void killingTheMaster_movesTheCoordinator_idsKeepGrowing_andFlushingResumes() throws Exception {
        long records = 120_000;
        Path output = dir.resolve("out");
        Map<String, String> storageConfig =
                Map.of("namespace", dir.resolve("ckpt").toString());
        var config = TestCluster.engine("interval: 200\ntimeout: 10000", "localfile", storageConfig, 1);
        PipelineKey pipeline = PipelineKey.of("kill-master", "1");
        try (TestCluster cluster = TestCluster.start(3, config);
                CheckpointStorage storage = CheckpointStorageFactories.find(
                                "localfile", getClass().getClassLoader())
                        .create(storageConfig)) {
            cluster.submit(Demo.job("kill-master", records, 6, 10_000, output));
            JobStatus before = cluster.awaitJob(
                    "kill-master", r -> r.lastCheckpointId() >= 4 && r.recordsCommitted() > 0, Duration.ofSeconds(30));
            CairnMember master = cluster.master();

            cluster.kill(master);

            CairnMember newMaster = cluster.master();
            assertFalse(newMaster == master);
            long idBefore = before.lastCheckpointId();
            JobStatus after =
                    cluster.awaitJob("kill-master", r -> r.lastCheckpointId() > idBefore + 3, Duration.ofSeconds(30));
            assertTrue(after.restarts() >= 1, "the takeover restarted the pipeline: " + after.restarts());
            assertTrue(after.checkpointsCompleted() > before.checkpointsCompleted(), "counters continue");
            TestCluster.await(
                    () -> maxStored(storage, pipeline) > idBefore + 3,
                    Duration.ofSeconds(30),
                    "the new master flushes checkpoints newer than the old master's");

            JobStatus done = cluster.awaitJob("kill-master", r -> r.state().done(), Duration.ofSeconds(90));
            assertEquals(JobState.FINISHED, done.state(), done.message());
            assertEquals(done.lastCheckpointId(), maxStored(storage, pipeline), "the final checkpoint is stored");
            assertEquals(3, storage.list(pipeline).size(), "exactly max-retained remain");
            Demo.assertExactlyOnce(output, records);
        }
    }

    private static long maxStored(CheckpointStorage storage, PipelineKey pipeline) {
        try {
            List<CheckpointId> ids = storage.list(pipeline);
            return ids.isEmpty() ? -1 : ids.get(ids.size() - 1).value();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
