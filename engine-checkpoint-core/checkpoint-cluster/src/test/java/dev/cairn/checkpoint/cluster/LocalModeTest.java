package dev.cairn.checkpoint.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobResult;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.api.config.SlotServiceConfig;
import dev.cairn.checkpoint.cluster.internal.master.JobMaster;
import dev.cairn.checkpoint.cluster.internal.master.SlotTable;
import dev.cairn.checkpoint.config.ConfigLoader;
import dev.cairn.checkpoint.demo.DemoJob;
import dev.cairn.checkpoint.demo.DemoOutput;
import dev.cairn.checkpoint.runtime.JobDefinitions;
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

    /** A member in local mode, as the embedded engine runs it. */
    private CairnMember startMember() throws Exception {
        return CairnMember.start(config(), CairnMember.localConfig(), getClass().getClassLoader());
    }

    /** The demo job: {@code records} integers over {@code parallelism} subtasks, at most {@code rate} a second (0: no limit). */
    static JobSpec demo(String id, int records, int parallelism, int rate, Path output) {
        return new JobSpec(
                JobId.of(id),
                DemoJob.TYPE,
                Map.of(
                        DemoJob.RECORDS, Integer.toString(records),
                        DemoJob.PARALLELISM, Integer.toString(parallelism),
                        DemoJob.RATE, Integer.toString(rate),
                        DemoJob.OUTPUT, output.toString()));
    }

    static JobStatus awaitDone(CairnMember member, String jobId, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            JobStatus record = member.job(jobId);
            if (record != null && record.state().done()) {
                return record;
            }
            Thread.sleep(20);
        }
        JobStatus last = member.job(jobId);
        throw new AssertionError("job " + jobId + " not done within " + within
                + (last == null
                        ? ": unknown"
                        : ": " + last.state() + ", " + last.recordsCommitted() + " records committed, "
                                + last.checkpointsCompleted() + " checkpoints completed"));
    }

    @Test
    void demoJob_runsToTheEnd_withEveryRecordCommittedExactlyOnce() throws Exception {
        Path output = dir.resolve("out");
        JobSpec spec = demo("local-1", 50_000, 4, 100_000, output);
        try (CairnMember member = startMember()) {
            member.engine().submit(spec);

            JobStatus done = awaitDone(member, "local-1", Duration.ofSeconds(60));

            assertEquals(JobState.FINISHED, done.state(), done.message());
            assertEquals(50_000, done.recordsCommitted());
            assertTrue(done.checkpointsCompleted() >= 2, "checkpointed as it ran: " + done.checkpointsCompleted());
            DemoOutput check = DemoOutput.check(output, 50_000);
            assertTrue(check.exactlyOnce(), check.toString());
            assertFalse(Files.exists(output.resolve(".cairn-staging").resolve("local-1")), "staging cleaned up");

            // Submitted again, it is the job that finished: nothing runs, nothing is written.
            assertEquals(
                    JobState.FINISHED,
                    member.engine().submit(spec).status().orElseThrow().state());
        }
    }

    /**
     * A cancel answers once the job has ended, and a resubmission right after it starts the job
     * again: it is neither told "running" by the old run nor shown the old run's end as its own.
     */
    @Test
    void aCancelledJob_resubmittedAtOnce_runsAgainToTheEnd() throws Exception {
        Path output = dir.resolve("again");
        JobSpec spec = demo("again", 20_000, 2, 20_000, output);
        try (CairnMember member = startMember()) {
            member.engine().submit(spec);
            assertNotNull(member.job("again"), "the job's record is there when the submit answers");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (member.job("again").recordsCommitted() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            JobResult cancelled = member.engine()
                    .job(JobId.of("again"))
                    .orElseThrow()
                    .cancel()
                    .get(30, TimeUnit.SECONDS);

            assertEquals(JobState.CANCELLED, cancelled.state());
            assertEquals(JobState.CANCELLED, member.job("again").state(), "ended when the cancel answers");

            JobHandle resubmitted = member.engine().submit(spec);

            assertFalse(
                    resubmitted.status().orElseThrow().state().done(),
                    "started again: the old run's end is not shown as the new one's");
            JobStatus done = awaitDone(member, "again", Duration.ofSeconds(60));
            assertEquals(JobState.FINISHED, done.state(), done.message());
            DemoOutput check = DemoOutput.check(output, 20_000);
            assertTrue(check.exactlyOnce(), check.toString());
        }
    }

    /**
     * Sources that run dry before the master has its coordinator: their "finished" reports must
     * not be lost, or the final checkpoint is never taken and the job never ends (seen in CI).
     */
    @Test
    void jobsWhoseSourcesFinishAtOnce_stillEnd() throws Exception {
        try (CairnMember member = startMember()) {
            for (int i = 0; i < 8; i++) {
                Path output = dir.resolve("tiny-" + i);
                String id = "tiny-" + i;
                JobSpec spec = demo(id, 8, 4, 0, output);
                member.engine().submit(spec);

                JobStatus done = awaitDone(member, id, Duration.ofSeconds(20));

                assertEquals(JobState.FINISHED, done.state(), done.message());
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
        try (CairnMember member = startMember()) {
            JobSpec spec = demo("ending", 1_000_000, 2, 1_000, dir.resolve("out"));
            CompletableFuture<JobMaster> ended = new CompletableFuture<>();
            JobMaster job = new JobMaster(
                    member.node(),
                    new SlotTable(new SlotServiceConfig(true, 2)),
                    spec,
                    JobDefinitions.find(DemoJob.TYPE, getClass().getClassLoader())
                            .orElseThrow(),
                    null,
                    null,
                    ended::complete,
                    deposed -> {});
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
