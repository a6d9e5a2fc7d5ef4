package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole cluster goes down mid-job; new members start, the job is submitted again with its id
 * and resumes from the newest checkpoint in storage. Run once per backend.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
abstract class FullRestartScenario {
    @TempDir
    Path dir;

    /** The plugin-config of the hdfs plugin for the backend. */
    abstract Map<String, String> storageConfig();

    @Test
    void wholeClusterDown_newMembers_resumeFromStorage_exactlyOnce() throws Exception {
        long records = 100_000;
        Path output = dir.resolve("out");
        var config = TestCluster.engine("interval: 300\ntimeout: 15000", "hdfs", storageConfig(), 1);
        var job = Demo.job("full-restart", records, 4, 8_000, output);
        PipelineKey pipeline = PipelineKey.of("full-restart", "1");
        try (CheckpointStorage storage = CheckpointStorageFactories.find(
                        "hdfs", getClass().getClassLoader())
                .create(storageConfig())) {
            long committedBefore;
            try (TestCluster first = TestCluster.start(3, config)) {
                first.submit(job);
                // Committed means stored: no waiting for the storage to catch up before the crash.
                JobStatus running =
                        first.awaitJob("full-restart", r -> r.recordsCommitted() > 10_000, Duration.ofSeconds(60));
                committedBefore = running.recordsCommitted();
                first.killAll();
            }

            try (TestCluster second = TestCluster.start(3, config)) {
                assertEquals(null, second.job("full-restart"), "the new cluster's memory is empty");
                second.submit(job);

                JobStatus done = second.awaitJob("full-restart", r -> r.state().done(), Duration.ofSeconds(120));

                assertEquals(JobState.FINISHED, done.state(), done.message());
                assertTrue(done.restoredFrom().contains("(storage)"), "resumed from storage: " + done.restoredFrom());
                assertEquals(records, done.recordsCommitted());
                assertTrue(committedBefore < records, "the crash came mid-job");
                Demo.assertExactlyOnce(output, records);
                assertEquals(3, list(storage, pipeline).size(), "exactly max-retained remain");
            }
        }
    }

    static java.util.List<?> list(CheckpointStorage storage, PipelineKey pipeline) {
        try {
            return storage.list(pipeline);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
