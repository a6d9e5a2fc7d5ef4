package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that stalls past {@code checkpoint.timeout}: that checkpoint fails as a timeout and later
 * ones succeed; {@code tolerable-failures} decides whether the pipeline restarts. And a task that
 * throws: the pipeline restarts from its last checkpoint.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StallTimeoutIT {
    @TempDir
    Path dir;

    private JobStatus run(int tolerable, Map<String, String> faults, String id) throws Exception {
        long records = 60_000;
        Path output = dir.resolve(id);
        var config = TestCluster.engine(
                "interval: 300\ntimeout: 1500\ntolerable-failures: " + tolerable,
                "localfile",
                Map.of("namespace", dir.resolve("ckpt-" + id).toString()),
                1);
        try (TestCluster cluster = TestCluster.start(3, config)) {
            cluster.submit(Demo.faultyJob(id, records, 3, 6_000, output, faults));
            JobStatus done = cluster.awaitJob(id, r -> r.state().done(), Duration.ofSeconds(120));
            assertEquals(JobState.FINISHED, done.state(), done.message());
            Demo.assertExactlyOnce(output, records);
            return done;
        }
    }

    private static Map<String, String> stall() {
        // Longer than the timeout (1.5 s), short enough that the next checkpoint, triggered when
        // this one times out, completes in time: exactly one failure.
        return Map.of(FaultyDemoJob.STALL_CHECKPOINT, "3", FaultyDemoJob.STALL_MILLIS, "2000");
    }

    @Test
    void aStallWithinTolerance_failsThatCheckpointAsATimeout_andLaterOnesSucceed() throws Exception {
        JobStatus done = run(1, stall(), "stall-tolerated");

        assertEquals(1, done.checkpointsFailed(), "checkpoint 3 timed out");
        assertEquals(0, done.restarts(), "one failure is tolerated");
        assertTrue(done.checkpointsCompleted() > 5, "and later checkpoints succeeded");
    }

    @Test
    void aStallBeyondTolerance_restartsThePipeline() throws Exception {
        JobStatus done = run(0, stall(), "stall-intolerable");

        assertTrue(done.checkpointsFailed() >= 1);
        assertEquals(1, done.restarts(), "tolerable-failures 0: the timeout restarts the pipeline, once");
    }

    @Test
    void aTaskThatThrows_restartsThePipelineFromItsLastCheckpoint() throws Exception {
        JobStatus done = run(5, Map.of(FaultyDemoJob.FAIL_AT_RECORD, "30000"), "throws");

        assertEquals(1, done.restarts());
        assertTrue(done.restoredFrom().startsWith("checkpoint "), done.restoredFrom());
    }
}
