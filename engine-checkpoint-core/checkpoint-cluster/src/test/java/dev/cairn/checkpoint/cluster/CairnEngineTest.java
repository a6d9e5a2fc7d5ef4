package dev.cairn.checkpoint.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.CairnEngine;
import dev.cairn.checkpoint.api.CairnException;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.JobFailure;
import dev.cairn.checkpoint.api.JobHandle;
import dev.cairn.checkpoint.api.JobResult;
import dev.cairn.checkpoint.api.JobSpec;
import dev.cairn.checkpoint.api.JobState;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.api.Savepoint;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.api.config.RestartPolicy;
import dev.cairn.checkpoint.demo.DemoOutput;
import dev.cairn.checkpoint.storage.api.JobId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The public engine API on an engine in this process: what an embedder calls, and what it gets back. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CairnEngineTest {
    @TempDir
    static Path dir;

    private static CairnEngine engine;

    @BeforeAll
    static void start() {
        engine = CairnEngine.local(
                EngineConfig.builder()
                        .checkpointInterval(Duration.ofMillis(100))
                        .checkpointTimeout(Duration.ofSeconds(10))
                        .storage(
                                "localfile",
                                Map.of("namespace", dir.resolve("checkpoints").toString()))
                        .restart(RestartPolicy.fixedDelay(2, Duration.ofMillis(300)))
                        .build(),
                CairnEngineTest.class.getClassLoader());
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static JobSpec demo(String id, int records, int rate) {
        return LocalModeTest.demo(id, records, 2, rate, dir.resolve(id));
    }

    @Test
    void aSubmittedJob_endsWithItsResult_andItsOutputExactlyOnce() throws Exception {
        JobHandle job = engine.submit(demo("api-1", 20_000, 0));

        JobResult result = job.result().get(60, TimeUnit.SECONDS);

        assertEquals(JobState.FINISHED, result.state(), result.status().message());
        assertTrue(result.finished());
        assertTrue(result.failure().isEmpty());
        assertEquals(20_000, result.status().recordsCommitted());
        assertTrue(DemoOutput.check(dir.resolve("api-1"), 20_000).exactlyOnce());
        assertEquals(JobState.FINISHED, job.status().orElseThrow().state());
        assertTrue(engine.jobs().stream().anyMatch(s -> s.jobId().equals("api-1")));
        // Submitting it again attaches to its end: nothing runs twice.
        assertEquals(
                JobState.FINISHED,
                engine.submit(demo("api-1", 20_000, 0))
                        .result()
                        .get(10, TimeUnit.SECONDS)
                        .state());
    }

    @Test
    void refusals_comeWithAReason() {
        CairnException unknown = assertThrows(
                CairnException.class, () -> engine.submit(new JobSpec(JobId.of("x"), "no-such", Map.of())));
        assertEquals(CairnException.Reason.UNKNOWN_JOB_TYPE, unknown.reason());
        assertTrue(unknown.getMessage().contains("no-such"), unknown.getMessage());

        CairnException invalid = assertThrows(
                CairnException.class, () -> engine.submit(new JobSpec(JobId.of("y"), PoisonJob.TYPE, Map.of())));
        assertEquals(CairnException.Reason.INVALID_JOB, invalid.reason());
        assertTrue(
                invalid.getMessage().contains("records") && invalid.getMessage().contains("poison"),
                "every problem at once: " + invalid.getMessage());

        CairnException reserved = assertThrows(
                CairnException.class,
                () -> engine.submit(new JobSpec(
                        JobId.of("z"), PoisonJob.TYPE, Map.of("records", "5", "poison", "9", "pipeline", "p.parts"))));
        assertEquals(CairnException.Reason.INVALID_JOB, reserved.reason());
        assertTrue(reserved.getMessage().contains("ends in '.parts'"), reserved.getMessage());

        assertTrue(engine.job(JobId.of("never-submitted")).isEmpty());
    }

    @Test
    void savepointThenStop_thenResumeFromIt_commitsEveryRecordOnce() throws Exception {
        JobHandle job = engine.submit(demo("api-sp", 200_000, 20_000));
        awaitCommitted(job, 1);

        Savepoint saved = job.savepoint(true).get(60, TimeUnit.SECONDS);

        assertTrue(saved.jobStopped());
        assertEquals(Set.of("1"), saved.ids().keySet());
        JobResult stopped = job.result().get(30, TimeUnit.SECONDS);
        assertEquals(JobState.CANCELLED, stopped.state());
        CairnException notRunning = assertThrows(CairnException.class, () -> unwrap(job.cancel()));
        assertEquals(CairnException.Reason.JOB_NOT_RUNNING, notRunning.reason());

        JobHandle resumed = engine.submit(
                demo("api-sp", 200_000, 0),
                new RestoreRequest(CheckpointType.SAVEPOINT, saved.ids().get("1")));
        JobResult end = resumed.result().get(60, TimeUnit.SECONDS);

        assertEquals(JobState.FINISHED, end.state(), end.status().message());
        assertTrue(
                end.status().restoredFrom().contains("savepoint " + saved.ids().get("1")),
                end.status().restoredFrom());
        assertTrue(DemoOutput.check(dir.resolve("api-sp"), 200_000).exactlyOnce());
    }

    @Test
    void cancel_endsTheJob_cancelled() throws Exception {
        JobHandle job = engine.submit(demo("api-cancel", 1_000_000, 10_000));
        awaitCommitted(job, 1);

        JobResult end = job.cancel().get(60, TimeUnit.SECONDS);

        assertEquals(JobState.CANCELLED, end.state());
        assertEquals(JobState.CANCELLED, job.result().get(1, TimeUnit.SECONDS).state());
    }

    @Test
    void aRestorePointThatDoesNotExist_failsTheJob_neverAFreshStart() throws Exception {
        JobHandle job =
                engine.submit(demo("api-missing", 1_000, 0), new RestoreRequest(CheckpointType.SAVEPOINT, 424242));

        JobResult end = job.result().get(60, TimeUnit.SECONDS);

        assertEquals(JobState.FAILED, end.state());
        assertEquals(
                JobFailure.Reason.RESTORE_POINT_UNUSABLE,
                end.failure().orElseThrow().reason());
        assertTrue(
                end.failure().orElseThrow().message().contains("424242"),
                end.failure().orElseThrow().message());
        assertEquals(0, end.status().recordsCommitted());
    }

    @Test
    void aJobThatFailsOnEveryAttempt_isRestartedAsThePolicySays_thenFails() throws Exception {
        JobHandle job = engine.submit(
                new JobSpec(JobId.of("api-poison"), PoisonJob.TYPE, Map.of("records", "1000000", "poison", "500")));
        Set<JobState> seen = EnumSet.noneOf(JobState.class);
        Set<String> restartMessages = new java.util.LinkedHashSet<>();
        CompletableFuture<JobResult> result = job.result();
        while (!result.isDone()) {
            JobStatus status = job.status().orElse(null);
            if (status != null) {
                seen.add(status.state());
                // While RESTARTING a status also says what the new attempt is doing (reading checkpoints).
                if (status.state() == JobState.RESTARTING
                        && status.warning() != null
                        && status.warning().contains(": restart ")) {
                    restartMessages.add(status.warning().replaceAll(" after: .*", ""));
                }
            }
            Thread.sleep(10);
        }
        JobResult end = result.get();

        assertEquals(JobState.FAILED, end.state());
        JobFailure failure = end.failure().orElseThrow();
        assertEquals(JobFailure.Reason.TOO_MANY_RESTARTS, failure.reason());
        assertTrue(failure.message().contains("bad record 500"), "the last cause: " + failure.message());
        assertTrue(failure.message().contains("3 times in a row"), failure.message());
        // The first attempt and two restarts: max-attempts 2.
        assertEquals(3, PoisonJob.ATTEMPTS.get("api-poison").get());
        assertEquals(2, end.status().restarts());
        assertTrue(seen.contains(JobState.RESTARTING), "states seen: " + seen);
        assertEquals(
                Set.of("pipeline 1: restart 1 of 2 in 0.3 s", "pipeline 1: restart 2 of 2 in 0.3 s"),
                restartMessages,
                "each restart waits as the policy says, and says so");
        assertEquals(failure, end.status().failure());
        List<Long> started = PoisonJob.STARTED.get("api-poison");
        for (int i = 1; i < started.size(); i++) {
            long gap = TimeUnit.NANOSECONDS.toMillis(started.get(i) - started.get(i - 1));
            assertTrue(gap >= 300, "restart " + i + " came " + gap + " ms after the attempt before: no delay");
        }
    }

    @Test
    void failuresAfterProgress_doNotAddUp() throws Exception {
        // Four failures, each further on than the one before: each attempt completes checkpoints
        // with records its restore point lacked, so the count starts over and the job finishes,
        // though max-attempts is 2.
        JobHandle job = engine.submit(new JobSpec(
                JobId.of("api-progress"),
                PoisonJob.TYPE,
                Map.of("records", "20000", "poison", "3000", "step", "3000", "failing", "4")));

        JobResult end = job.result().get(60, TimeUnit.SECONDS);

        assertEquals(JobState.FINISHED, end.state(), end.status().message());
        assertEquals(5, PoisonJob.ATTEMPTS.get("api-progress").get());
        assertEquals(4, end.status().restarts());
    }

    @Test
    void closingTheEngine_endsEveryWaitWithAReason() throws Exception {
        CairnEngine other = CairnEngine.local(
                EngineConfig.builder()
                        .storage(
                                "localfile",
                                Map.of("namespace", dir.resolve("other").toString()))
                        .build(),
                getClass().getClassLoader());
        JobHandle job = other.submit(demo("api-closed", 10_000_000, 1_000));
        CompletableFuture<JobResult> result = job.result();

        other.close();

        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(30, TimeUnit.SECONDS));
        assertEquals(CairnException.Reason.ENGINE_CLOSED, ((CairnException) e.getCause()).reason());
        assertFalse(result.isCancelled());
        CairnException after = assertThrows(CairnException.class, job::status);
        assertEquals(CairnException.Reason.ENGINE_CLOSED, after.reason());
    }

    private static void awaitCommitted(JobHandle job, long checkpoints) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (job.status().map(JobStatus::checkpointsCommitted).orElse(0L) < checkpoints) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no checkpoint committed: " + job.status());
            }
            Thread.sleep(20);
        }
    }

    private static <T> T unwrap(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }
}
