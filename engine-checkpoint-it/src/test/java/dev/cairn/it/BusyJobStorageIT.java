package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.PipelineStats;
import dev.cairn.checkpoint.bench.BenchJob;
import dev.cairn.checkpoint.storage.api.JobId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A busy job, as configuration.md promises it: one job of 16 pipelines, each of whose tasks holds a
 * state above {@code inline-state-limit}, checkpointing at once into a storage that takes 100 ms a
 * write. Its parts ask for many more storage calls at once than the 8 a job may have running; the
 * rest wait their turn. None of its writes fails and none is said to hang: every pipeline's
 * checkpoints reach storage and commit.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class BusyJobStorageIT {
    private static final int PIPELINES = 16;

    @TempDir
    Path dir;

    @AfterEach
    void release() {
        Faults.reset();
    }

    @Test
    void sixteenPipelinesStoringPartsAtOnce_waitTheirTurn_noWriteFails_andEveryPipelineCommits() throws Exception {
        Path namespace = dir.resolve("ckpt");
        var config = TestCluster.engine(
                "interval: 200\ntimeout: 10000\ninline-state-limit: 1048576", // the default, whatever the ITs run
                "localfile",
                Map.of("namespace", namespace.toString()),
                0,
                "",
                "call-timeout: 5000");
        Faults.storageDelayMillis = 100;
        try (TestCluster cluster = TestCluster.start(1, config, FaultyStorage::new)) {
            cluster.submit(new JobSpec(
                    JobId.of("busy"),
                    BenchJob.TYPE,
                    Map.of(
                            BenchJob.PIPELINES,
                            Integer.toString(PIPELINES),
                            BenchJob.PARALLELISM,
                            "2",
                            BenchJob.STATE_BYTES,
                            Integer.toString(2 << 20), // above the 1 MiB limit: parts
                            BenchJob.RATE,
                            "1000")));
            JobStatus record = cluster.awaitJob(
                    "busy",
                    r -> r.pipelines().size() == PIPELINES
                            && r.pipelines().stream().allMatch(p -> p.checkpointsCommitted() >= 5),
                    Duration.ofSeconds(120));

            long failedWrites = record.pipelines().stream()
                    .mapToLong(PipelineStats::storageErrors)
                    .sum();
            assertEquals(0, failedWrites, "no write failed or was refused; the last error: " + record.storageError());
            try (Stream<Path> files = Files.walk(namespace)) {
                assertTrue(
                        files.anyMatch(f -> f.toString().contains("parts")),
                        "the states went to storage as parts, so the job's calls did crowd: " + namespace);
            }
        }
    }
}
