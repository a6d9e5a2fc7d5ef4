package dev.cairn.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.demo.DemoOutput;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.FileLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.log4j.AppenderSkeleton;
import org.apache.log4j.Logger;
import org.apache.log4j.spi.LoggingEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Before each full restart the newest stored checkpoint is damaged: one flipped byte, cut short,
 * emptied. Recovery takes the one before it and says which it skipped and why.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CorruptCheckpointIT {
    @TempDir
    Path dir;

    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final AppenderSkeleton capture = new AppenderSkeleton() {
        @Override
        protected void append(LoggingEvent event) {
            warnings.add(event.getRenderedMessage());
        }

        @Override
        public void close() {}

        @Override
        public boolean requiresLayout() {
            return false;
        }
    };

    @BeforeEach
    void captureRecoveryLog() {
        Logger.getLogger("dev.cairn.checkpoint.recovery").addAppender(capture);
    }

    @AfterEach
    void release() {
        Logger.getLogger("dev.cairn.checkpoint.recovery").removeAppender(capture);
    }

    enum Damage {
        FLIPPED_BYTE("CHECKSUM_MISMATCH"),
        TRUNCATED("LENGTH_MISMATCH"),
        /** A byte flipped in one of the manifest's parts (every task state is a part in the ITs). */
        FLIPPED_PART("CORRUPT_PART"),
        /** Last: the job then runs to its end. */
        EMPTIED("TOO_SHORT");

        final String reason;

        Damage(String reason) {
            this.reason = reason;
        }

        void apply(Path file) throws Exception {
            byte[] bytes = Files.readAllBytes(file);
            switch (this) {
                case FLIPPED_BYTE, FLIPPED_PART -> {
                    bytes[bytes.length - 3] ^= 0x10;
                    Files.write(file, bytes);
                }
                case TRUNCATED -> Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
                case EMPTIED -> Files.write(file, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
            }
        }
    }

    /**
     * The newest stored checkpoint, or one of its parts, is damaged after its sinks committed it.
     * (A damaged part is found by the member that was to restore its task, before any task
     * starts.) With the default {@code
     * corrupt-checkpoint: fall-back} the job resumes from the previous one and says, in its record
     * and its log, which checkpoint it restored and which ids' output may repeat: nothing is lost,
     * and the demo's strict sink shows what repeats. Nothing can undo a commit.
     */
    @Test
    void damagedNewestCheckpoint_fallBack_restoresThePreviousOne_andSaysWhatMayRepeat() throws Exception {
        long records = 200_000;
        Path output = dir.resolve("out");
        Path namespace = dir.resolve("ckpt");
        var config = TestCluster.engine(
                "interval: 200\ntimeout: 15000", "hdfs", Map.of("namespace", namespace.toString()), 1);
        var job = Demo.job("corrupt", records, 4, 10_000, output);
        Path pipelineDir = namespace.resolve("corrupt").resolve("1");

        for (Damage damage : Damage.values()) {
            long committedBefore = crashAfterCommits(config, job);
            List<Long> stored = ids(pipelineDir);
            assertTrue(stored.size() >= 2, "two checkpoints at least: " + stored);
            long newest = stored.get(stored.size() - 1);
            long previous = stored.get(stored.size() - 2);
            damage.apply(
                    damage == Damage.FLIPPED_PART
                            ? firstPart(namespace.resolve("corrupt").resolve("1.parts"), newest)
                            : pipelineDir.resolve(FileLayout.fileName(CheckpointId.of(newest))));
            warnings.clear();

            try (TestCluster cluster = TestCluster.start(3, config)) {
                cluster.submit(job);
                JobStatus resumed =
                        cluster.awaitJob("corrupt", r -> r.restoredFrom().contains("storage"), Duration.ofSeconds(30));

                assertEquals("checkpoint " + previous + " (storage)", resumed.restoredFrom(), damage.name());
                assertTrue(
                        warnings.stream()
                                .anyMatch(w -> w.contains("checkpoint " + newest
                                        + " of job corrupt pipeline 1 in storage is unusable (" + damage.reason + ")")),
                        damage + ": " + warnings);
                assertTrue(
                        resumed.warning() != null
                                && resumed.warning().contains("restored from checkpoint " + previous)
                                && resumed.warning().contains("[" + newest + "]")
                                && resumed.warning().contains("may repeat"),
                        damage + ": the record says what may repeat: " + resumed.warning());
                if (damage == Damage.EMPTIED) {
                    JobStatus done = cluster.awaitJob("corrupt", r -> r.state().done(), Duration.ofSeconds(120));
                    assertEquals(JobState.FINISHED, done.state(), done.message());
                } else {
                    cluster.awaitJob("corrupt", r -> r.checkpointsCommitted() >= 3, Duration.ofSeconds(60));
                    cluster.killAll();
                }
            }
            assertTrue(committedBefore > 0);
        }
        DemoOutput check = DemoOutput.check(output, records);
        assertEquals(0, check.missing, check.toString());
        assertEquals(0, check.outOfRange, check.toString());
    }

    /**
     * With {@code corrupt-checkpoint: fail}, Flink's choice, the job fails instead, naming the
     * unusable checkpoint, and repeats nothing; a person may then restore an older one on purpose.
     */
    @Test
    void damagedNewestCheckpoint_failSetting_failsTheJob_namingIt() throws Exception {
        Path output = dir.resolve("out");
        Path namespace = dir.resolve("ckpt");
        var config = TestCluster.engine(
                "interval: 200\ntimeout: 15000\ncorrupt-checkpoint: fail",
                "hdfs",
                Map.of("namespace", namespace.toString()),
                1);
        var job = Demo.job("corrupt-fail", 200_000, 4, 10_000, output);
        Path pipelineDir = namespace.resolve("corrupt-fail").resolve("1");
        crashAfterCommits(config, job);
        List<Long> stored = ids(pipelineDir);
        long newest = stored.get(stored.size() - 1);
        Damage.FLIPPED_BYTE.apply(pipelineDir.resolve(FileLayout.fileName(CheckpointId.of(newest))));

        try (TestCluster cluster = TestCluster.start(3, config)) {
            cluster.submit(job);
            JobStatus failed = cluster.awaitJobState("corrupt-fail", JobState.FAILED, Duration.ofSeconds(30));

            assertTrue(failed.message().contains("[" + newest + "]"), failed.message());
            assertTrue(failed.message().contains("corrupt-checkpoint is 'fail'"), failed.message());
            assertTrue(failed.message().contains("--from-checkpoint"), failed.message());
        }
        DemoOutput check = DemoOutput.check(output, 200_000);
        assertEquals(0, check.duplicated, "nothing repeated: " + check);
    }

    /** Runs the job on a fresh cluster until a few checkpoints are committed, then kills everything. */
    private static long crashAfterCommits(dev.cairn.checkpoint.api.config.EngineConfig config, JobSpec job)
            throws Exception {
        try (TestCluster cluster = TestCluster.start(3, config)) {
            cluster.submit(job);
            JobStatus running =
                    cluster.awaitJob(job.jobId().value(), r -> r.checkpointsCommitted() >= 4, Duration.ofSeconds(60));
            cluster.killAll();
            return running.recordsCommitted();
        }
    }

    /** The file of the first stored part of checkpoint {@code id}. */
    private static Path firstPart(Path partsDir, long id) throws Exception {
        for (long part : ids(partsDir)) {
            if (part / FileLayout.PARTS_PER_CHECKPOINT == id) {
                return partsDir.resolve(FileLayout.fileName(CheckpointId.of(part)));
            }
        }
        throw new AssertionError("checkpoint " + id + " has no stored part in " + partsDir);
    }

    private static List<Long> ids(Path pipelineDir) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Stream<Path> files = Files.list(pipelineDir)) {
            files.map(p -> FileLayout.parseFileName(p.getFileName().toString()))
                    .flatMap(java.util.Optional::stream)
                    .forEach(id -> ids.add(id.value()));
        }
        ids.sort(null);
        return ids;
    }
}
