package dev.cairn.checkpoint.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.config.ConfigLoader;
import dev.cairn.checkpoint.config.EngineConfig;
import dev.cairn.checkpoint.demo.DemoJob;
import dev.cairn.checkpoint.demo.DemoOutput;
import dev.cairn.checkpoint.runtime.JobDefinitions;
import dev.cairn.checkpoint.runtime.JobSpec;
import dev.cairn.checkpoint.storage.api.JobId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalModeTest {
    @TempDir
    Path dir;

    private EngineConfig config() throws Exception {
        return new ConfigLoader(System::getenv, getClass().getClassLoader())
                .parse(
                        """
                        seatunnel:
                          engine:
                            checkpoint:
                              interval: 100
                              timeout: 10000
                              storage:
                                type: localfile
                                plugin-config:
                                  namespace: %s
                        """
                                .formatted(dir.resolve("checkpoints")),
                        "test");
    }

    static JobRecord awaitDone(CairnMember member, String jobId, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            JobRecord record = member.job(jobId);
            if (record != null && record.state().done()) {
                return record;
            }
            Thread.sleep(20);
        }
        JobRecord last = member.job(jobId);
        throw new AssertionError("job " + jobId + " not done within " + within
                + (last == null
                        ? ": unknown"
                        : ": " + last.state() + ", " + last.recordsCommitted() + " records committed, "
                                + last.checkpointsCompleted() + " checkpoints completed"));
    }

    @Test
    void demoJob_runsToTheEnd_withEveryRecordCommittedExactlyOnce() throws Exception {
        Path output = dir.resolve("out");
        JobSpec spec = new JobSpec(
                JobId.of("local-1"),
                DemoJob.TYPE,
                Map.of(
                        DemoJob.RECORDS,
                        "50000",
                        DemoJob.PARALLELISM,
                        "4",
                        DemoJob.RATE,
                        "100000",
                        DemoJob.OUTPUT,
                        output.toString()));
        try (CairnMember member = CairnMember.start(
                config(), CairnMember.localConfig(), getClass().getClassLoader())) {
            assertTrue(member.submit(spec).ok());

            JobRecord done = awaitDone(member, "local-1", Duration.ofSeconds(60));

            assertEquals(JobRecord.State.FINISHED, done.state(), done.message());
            assertEquals(50_000, done.recordsCommitted());
            assertTrue(done.checkpointsCompleted() >= 2, "checkpointed as it ran: " + done.checkpointsCompleted());
            DemoOutput check = DemoOutput.check(output, 50_000);
            assertTrue(check.exactlyOnce(), check.toString());
            assertFalse(Files.exists(output.resolve(".cairn-staging").resolve("local-1")), "staging cleaned up");

            // Submitted again, it says it finished, and writes nothing.
            assertTrue(member.submit(spec).message().contains("has finished"));
        }
    }

    /**
     * Sources that run dry before the master has its coordinator: their "finished" reports must
     * not be lost, or the final checkpoint is never taken and the job never ends (seen in CI).
     */
    @Test
    void jobsWhoseSourcesFinishAtOnce_stillEnd() throws Exception {
        try (CairnMember member = CairnMember.start(
                config(), CairnMember.localConfig(), getClass().getClassLoader())) {
            for (int i = 0; i < 8; i++) {
                Path output = dir.resolve("tiny-" + i);
                String id = "tiny-" + i;
                JobSpec spec = new JobSpec(
                        JobId.of(id),
                        DemoJob.TYPE,
                        Map.of(
                                DemoJob.RECORDS, "8",
                                DemoJob.PARALLELISM, "4",
                                DemoJob.RATE, "0",
                                DemoJob.OUTPUT, output.toString()));
                assertTrue(member.submit(spec).ok());

                JobRecord done = awaitDone(member, id, Duration.ofSeconds(20));

                assertEquals(JobRecord.State.FINISHED, done.state(), done.message());
                assertTrue(DemoOutput.check(output, 8).exactlyOnce(), id);
            }
        }
    }

    /**
     * A job ends on its own control thread, which then shuts down; a member closing at that moment
     * still stops it, and a late retry or ack still hands it work. Neither may fail: in CI, closing
     * the member just as a job finished threw a RejectedExecutionException out of {@code close()}.
     */
    @Test
    void aJobThatHasJustEnded_canStillBeStoppedAndHandedWork() throws Exception {
        try (CairnMember member = CairnMember.start(
                config(), CairnMember.localConfig(), getClass().getClassLoader())) {
            JobSpec spec = new JobSpec(
                    JobId.of("ending"),
                    DemoJob.TYPE,
                    Map.of(
                            DemoJob.RECORDS, "1000000",
                            DemoJob.PARALLELISM, "2",
                            DemoJob.RATE, "1000",
                            DemoJob.OUTPUT, dir.resolve("out").toString()));
            CompletableFuture<JobMaster> ended = new CompletableFuture<>();
            JobMaster job = new JobMaster(
                    member.node(),
                    spec,
                    JobDefinitions.find(DemoJob.TYPE, getClass().getClassLoader())
                            .orElseThrow(),
                    null,
                    null,
                    ended::complete);
            job.start(false);
            job.cancel();
            assertEquals(job, ended.get(30, TimeUnit.SECONDS));

            AtomicInteger ran = new AtomicInteger();
            assertDoesNotThrow(job::stop);
            assertDoesNotThrow(() -> job.control(ran::incrementAndGet));
            assertDoesNotThrow(() -> job.schedule(ran::incrementAndGet, 0));
            assertDoesNotThrow(() -> job.scheduler().execute(ran::incrementAndGet));
            assertDoesNotThrow(() -> job.scheduler().schedule(ran::incrementAndGet, 0));
            Thread.sleep(200);
            assertEquals(0, ran.get(), "work handed to an ended job is dropped, not run");
        }
    }
}
