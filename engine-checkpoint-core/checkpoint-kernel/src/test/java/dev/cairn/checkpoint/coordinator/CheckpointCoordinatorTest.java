package dev.cairn.checkpoint.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.CheckpointFailureReason;
import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.config.CheckpointConfig;
import dev.cairn.checkpoint.api.config.CommitAfter;
import dev.cairn.checkpoint.api.config.CorruptCheckpointPolicy;
import dev.cairn.checkpoint.api.config.StorageConfig;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The coordinator against fakes and a manual clock: no thread, no sleep. */
class CheckpointCoordinatorTest {
    private static final List<String> TASKS = List.of("source-0", "sink-0", "source-1", "sink-1");

    private final ManualScheduler clock = new ManualScheduler(1_000_000);
    private final List<String> gateway = new ArrayList<>();
    private final List<CompletedCheckpoint> stored = new ArrayList<>();
    private final List<CompletableFuture<Long>> storeResults = new ArrayList<>();
    private final List<CheckpointStats> completed = new ArrayList<>();
    private final List<CheckpointStats> failed = new ArrayList<>();
    private final List<String> failovers = new ArrayList<>();
    private final List<Long> abandoned = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(10);
    private boolean storeAnswersAtOnce = true;
    private boolean idsRefused;
    /** Most tests look at the coordinator's own steps: tasks are told of a commit at completion. */
    private CommitAfter commitAfter = CommitAfter.CLUSTER;

    private long restoredId = -1;
    private final List<Long> committed = new ArrayList<>();

    private CheckpointCoordinator coordinator(
            long interval, long timeout, long minPause, int maxConcurrent, int tolerable) {
        CheckpointCoordinator coordinator = unstarted(interval, timeout, minPause, maxConcurrent, tolerable);
        coordinator.start();
        clock.runDue();
        return coordinator;
    }

    private CheckpointCoordinator unstarted(
            long interval, long timeout, long minPause, int maxConcurrent, int tolerable) {
        CheckpointConfig config = new CheckpointConfig(
                Duration.ofMillis(interval),
                Duration.ofMillis(timeout),
                Duration.ofMillis(minPause),
                maxConcurrent,
                tolerable,
                new StorageConfig("fake", 3, Map.of()),
                commitAfter,
                CorruptCheckpointPolicy.FALL_BACK);
        CheckpointCoordinator coordinator = new CheckpointCoordinator(
                new CheckpointCoordinator.Setup(
                        PipelineKey.of("job-1", "1"),
                        TASKS,
                        Set.of("source-0", "source-1"),
                        Map.of(CompletedCheckpoint.META_ATTEMPT, "2"),
                        () -> idsRefused
                                ? CompletableFuture.failedFuture(new IllegalStateException("lease refused"))
                                : CompletableFuture.completedFuture(ids.incrementAndGet()),
                        new TaskGateway() {
                            @Override
                            public void trigger(long id, boolean finalCheckpoint) {
                                gateway.add("trigger " + id + (finalCheckpoint ? " final" : ""));
                            }

                            @Override
                            public void complete(long id) {
                                gateway.add("complete " + id);
                            }

                            @Override
                            public void abort(long id) {
                                gateway.add("abort " + id);
                            }
                        },
                        new CompletedCheckpointStore() {
                            @Override
                            public CompletionStage<Long> add(CompletedCheckpoint checkpoint) {
                                return store(checkpoint);
                            }

                            @Override
                            public void abandoned(long id) {
                                abandoned.add(id);
                            }
                        },
                        new CoordinatorListener() {
                            @Override
                            public void completed(CompletedCheckpoint checkpoint, CheckpointStats stats) {
                                completed.add(stats);
                            }

                            @Override
                            public void committed(long id, long at, long records) {
                                committed.add(id);
                            }

                            @Override
                            public void failed(CheckpointStats stats) {
                                failed.add(stats);
                            }

                            @Override
                            public void failoverRequired(CheckpointFailureReason reason, String detail) {
                                failovers.add(reason + ": " + detail);
                            }
                        },
                        restoredId,
                        0),
                config,
                clock);
        return coordinator;
    }

    private CompletionStage<Long> store(CompletedCheckpoint checkpoint) {
        stored.add(checkpoint);
        CompletableFuture<Long> result = new CompletableFuture<>();
        storeResults.add(result);
        if (storeAnswersAtOnce) {
            result.complete(1234L);
        }
        return result;
    }

    private void ackAll(CheckpointCoordinator coordinator, long id) {
        for (String task : TASKS) {
            coordinator.acknowledge(id, task, new byte[] {(byte) id}, 0);
        }
        clock.runDue();
    }

    @Test
    void triggersEveryInterval_andCompletesWhenAllTasksAcked() {
        CheckpointCoordinator coordinator = coordinator(1000, 5000, 0, 1, 0);

        clock.advance(999);
        assertEquals(List.of(), gateway, "nothing before the first interval");
        clock.advance(1);
        assertEquals(List.of("trigger 11"), gateway);

        ackAll(coordinator, 11);

        assertEquals(List.of("trigger 11", "complete 11"), gateway);
        assertEquals(1, stored.size());
        CompletedCheckpoint checkpoint = stored.get(0);
        assertEquals(11, checkpoint.id().value());
        assertEquals(
                TASKS, checkpoint.taskStates().stream().map(s -> s.taskId()).toList(), "states in task order");
        assertEquals("2", checkpoint.metadata().get(CompletedCheckpoint.META_ATTEMPT));
        assertEquals(1, completed.size());
        assertEquals(4, completed.get(0).stateSize());

        clock.advance(1000);
        assertEquals("trigger 12", gateway.get(2), "the next one an interval after the last trigger");
    }

    @Test
    void tasksHearOfCompletion_onlyOnceTheClusterHoldsTheCheckpoint() {
        storeAnswersAtOnce = false;
        CheckpointCoordinator coordinator = coordinator(1000, 5000, 0, 1, 0);
        clock.advance(1000);

        ackAll(coordinator, 11);
        assertEquals(List.of("trigger 11"), gateway, "stored, not yet acknowledged by the snapshot map");

        storeResults.get(0).complete(99L);
        clock.runDue();
        assertEquals(List.of("trigger 11", "complete 11"), gateway);
        assertEquals(99, completed.get(0).encodedSize());
    }

    @Test
    void aCompletedCheckpoint_carriesEveryTasksAckTime_andAFailedOneThoseThatCameIn() {
        CheckpointCoordinator coordinator = coordinator(1000, 3000, 0, 1, 5);
        clock.advance(1000); // trigger 11
        clock.advance(5);
        coordinator.acknowledge(11, "source-0", new byte[0], 0);
        coordinator.acknowledge(11, "source-1", new byte[0], 0);
        clock.advance(20);
        coordinator.acknowledge(11, "sink-1", new byte[0], 0);
        clock.advance(7);
        coordinator.acknowledge(11, "sink-0", new byte[0], 0);
        clock.runDue();

        CheckpointStats done = completed.get(0);
        assertEquals(Map.of("source-0", 5L, "source-1", 5L, "sink-1", 25L, "sink-0", 32L), done.ackMillis());
        assertEquals("sink-0", done.slowestTask());
        assertEquals(32, done.slowestAckMillis());

        clock.advance(1000 - 32); // trigger 12, an interval after 11
        assertEquals(List.of("trigger 11", "complete 11", "trigger 12"), gateway);
        clock.advance(3);
        coordinator.acknowledge(12, "sink-0", new byte[0], 0);
        clock.advance(3000);
        assertEquals(Map.of("sink-0", 3L), failed.get(0).ackMillis(), "only the task that acknowledged");
    }

    @Test
    void aCheckpointNotAckedInTime_timesOut_andLateAcksAreDropped() {
        CheckpointCoordinator coordinator = coordinator(1000, 3000, 0, 1, 5);
        clock.advance(1000);
        coordinator.acknowledge(11, "source-0", new byte[0], 0);
        coordinator.acknowledge(11, "sink-0", new byte[0], 0);
        coordinator.acknowledge(11, "source-1", new byte[0], 0);
        clock.advance(2999);
        assertEquals(List.of(), failed);

        clock.advance(1);

        assertEquals(1, failed.size());
        CheckpointStats stats = failed.get(0);
        assertEquals(CheckpointFailureReason.TIMEOUT, stats.reason());
        assertEquals("sink-1", stats.slowestTask());
        assertTrue(stats.detail().contains("[sink-1]"), stats.detail());
        assertEquals(List.of("trigger 11", "abort 11", "trigger 12"), gateway, "12 is overdue: at once");

        coordinator.acknowledge(11, "sink-1", new byte[0], 0); // late
        clock.runDue();
        assertEquals(List.of(), completed);
        assertEquals(List.of(), stored);
    }

    private static TaskState handle(String task) {
        byte[] state = new byte[100];
        return TaskState.of(
                task,
                PartCodec.frame(PipelineKey.of("job-1", "1"), 11, task, state).handle(64, new int[3], "m"));
    }

    @Test
    void acksWithHandles_makeAManifest_inTaskOrder_whateverTheAckOrder() {
        CheckpointCoordinator coordinator = coordinator(1000, 3000, 0, 1, 5);
        clock.advance(1000);
        coordinator.acknowledge(11, handle("sink-1"), 0);
        coordinator.acknowledge(11, "source-0", new byte[] {1}, 0);
        coordinator.acknowledge(11, handle("sink-0"), 0);
        coordinator.acknowledge(11, "source-1", new byte[] {2}, 0);
        clock.runDue();

        assertEquals(1, stored.size());
        CompletedCheckpoint manifest = stored.get(0);
        assertEquals(
                TASKS, manifest.taskStates().stream().map(TaskState::taskId).toList());
        assertEquals(handle("sink-0"), manifest.taskStates().get(1));
        assertEquals(handle("sink-1"), manifest.taskStates().get(3));
        assertEquals(false, manifest.allInline());
        assertEquals(1 + 1 + 2 * handle("sink-0").size(), completed.get(0).stateSize());
        assertEquals(List.of(), abandoned, "a completed checkpoint's parts stay");
    }

    @Test
    void aFailedCheckpointWithParts_isAbandoned_andSoIsALatePart() {
        CheckpointCoordinator coordinator = coordinator(1000, 3000, 0, 1, 5);
        clock.advance(1000);
        coordinator.acknowledge(11, handle("sink-0"), 0);
        coordinator.acknowledge(11, "source-0", new byte[0], 0);
        clock.advance(3000); // times out: sink-0's part is dropped
        assertEquals(List.of(11L), abandoned);

        coordinator.acknowledge(11, handle("sink-1"), 0); // its part came after the end
        clock.runDue();
        assertEquals(List.of(11L, 11L), abandoned);

        coordinator.acknowledge(12, "source-0", new byte[0], 0); // 12 is in flight: nothing dropped
        clock.runDue();
        assertEquals(List.of(11L, 11L), abandoned);
    }

    @Test
    void afterAFailure_theNextCheckpointIsTriggered_andSucceeds() {
        CheckpointCoordinator coordinator = coordinator(1000, 3000, 0, 1, 1);
        clock.advance(1000); // 11 triggered
        clock.advance(3000); // 11 times out; the interval since its trigger has passed: 12 at once

        assertEquals(List.of("trigger 11", "abort 11", "trigger 12"), gateway);
        ackAll(coordinator, 12);
        assertEquals(12, completed.get(0).id());
        assertEquals(List.of(), failovers);
    }

    @Test
    void moreConsecutiveFailuresThanTolerated_failOver() {
        coordinator(1000, 2000, 0, 1, 2);

        clock.advance(1000 + 2000); // 11 fails
        clock.advance(2000); // 12 fails
        assertEquals(List.of(), failovers);
        clock.advance(2000); // 13 fails: one more than tolerated

        assertEquals(1, failovers.size());
        assertTrue(failovers.get(0).startsWith("TIMEOUT: 3 consecutive checkpoint failures"), failovers.get(0));
        clock.advance(10_000);
        assertEquals(3, gateway.stream().filter(g -> g.startsWith("trigger")).count(), "stopped: no more triggers");
    }

    @Test
    void aCompletedCheckpoint_resetsTheFailureCount() {
        CheckpointCoordinator coordinator = coordinator(1000, 2000, 0, 1, 1);
        clock.advance(3000); // 11 fails
        ackAll(coordinator, 12); // 12 triggered at once and completes
        clock.advance(1000 + 2000); // 13 fails
        assertEquals(List.of(), failovers, "one failure, then a success, then one failure: tolerated");
    }

    @Test
    void duplicateAndUnknownAcks_areDropped() {
        CheckpointCoordinator coordinator = coordinator(1000, 5000, 0, 1, 0);
        clock.advance(1000);
        for (int i = 0; i < 3; i++) {
            coordinator.acknowledge(11, "source-0", new byte[0], 0);
        }
        coordinator.acknowledge(11, "intruder-9", new byte[0], 0);
        coordinator.acknowledge(99, "source-0", new byte[0], 0);
        clock.runDue();
        assertEquals(List.of(), completed);

        coordinator.acknowledge(11, "sink-0", new byte[0], 0);
        coordinator.acknowledge(11, "source-1", new byte[0], 0);
        coordinator.acknowledge(11, "sink-1", new byte[0], 0);
        clock.runDue();
        assertEquals(1, completed.size());
    }

    @Test
    void minPause_holdsTheNextTriggerAfterAnEnd() {
        CheckpointCoordinator coordinator = coordinator(1000, 5000, 800, 1, 0);
        clock.advance(1000);
        clock.advance(900); // a slow checkpoint: completes 900 ms after its trigger
        ackAll(coordinator, 11);

        clock.advance(100); // interval since trigger has passed, but only 100 ms since the end
        assertEquals(List.of("trigger 11", "complete 11"), gateway);
        clock.advance(699);
        assertEquals(2, gateway.size());
        clock.advance(1);
        assertEquals("trigger 12", gateway.get(2));
    }

    @Test
    void maxConcurrent_holdsTriggers_whileCheckpointsAreInFlight() {
        CheckpointCoordinator coordinator = coordinator(1000, 10_000, 0, 2, 0);
        clock.advance(1000);
        clock.advance(1000);
        clock.advance(1000);
        assertEquals(List.of("trigger 11", "trigger 12"), gateway, "two in flight, the third waits");

        ackAll(coordinator, 12);
        assertEquals(
                List.of("trigger 11", "trigger 12", "abort 11", "complete 12", "trigger 13"),
                gateway,
                "12 completes and subsumes 11, and 13 is overdue");
        assertEquals(CheckpointFailureReason.SUBSUMED, failed.get(0).reason());
    }

    @Test
    void commitAfterStorage_tasksHearOfACommitOnlyOnceItIsStored() {
        commitAfter = CommitAfter.STORAGE;
        CheckpointCoordinator coordinator = coordinator(1000, 10_000, 0, 1, 0);
        clock.advance(1000);
        ackAll(coordinator, 11);
        assertEquals(1, completed.size(), "completed: in the cluster's memory");
        assertEquals(List.of("trigger 11"), gateway, "but not committed");

        coordinator.stored(11);
        clock.runDue();

        assertEquals(List.of("trigger 11", "complete 11"), gateway);
        assertEquals(List.of(11L), committed);
    }

    @Test
    void commitAfterStorage_commitsComeInIdOrder_onceEach_whateverOrderStoresEndIn() {
        commitAfter = CommitAfter.STORAGE;
        CheckpointCoordinator coordinator = coordinator(1000, 10_000, 0, 1, 0);
        for (long id = 11; id <= 13; id++) {
            clock.advance(1000);
            ackAll(coordinator, id);
        }

        coordinator.stored(12);
        coordinator.stored(11); // a slower write of an older one ends later: covered by 12
        coordinator.stored(13);
        coordinator.stored(13);
        clock.runDue();

        assertEquals(
                List.of("complete 12", "complete 13"),
                gateway.stream().filter(g -> g.startsWith("complete")).toList());
        assertEquals(List.of(12L, 13L), committed);
    }

    @Test
    void commitAfterStorage_neverTellsTasksOfTheCheckpointTheyRestoredFrom_orOlder() {
        commitAfter = CommitAfter.STORAGE;
        restoredId = 10;
        CheckpointCoordinator coordinator = coordinator(1000, 10_000, 0, 1, 0);

        coordinator.stored(10);
        coordinator.stored(9);
        clock.runDue();

        assertEquals(List.of(), gateway, "their restore committed it");
    }

    @Test
    void aStoppedCoordinator_commitsNothingMore() {
        commitAfter = CommitAfter.STORAGE;
        CheckpointCoordinator coordinator = coordinator(1000, 10_000, 0, 1, 0);
        clock.advance(1000);
        ackAll(coordinator, 11);
        coordinator.stop();
        clock.runDue();

        coordinator.stored(11);
        clock.runDue();

        assertEquals(List.of("trigger 11"), gateway, "the next attempt restores from it and commits it itself");
    }

    @Test
    void commitAfterCluster_tasksHearOfTheCommitAtCompletion_andAStoreChangesNothing() {
        CheckpointCoordinator coordinator = coordinator(1000, 10_000, 0, 1, 0);
        clock.advance(1000);
        ackAll(coordinator, 11);
        assertEquals(List.of("trigger 11", "complete 11"), gateway);

        coordinator.stored(11);
        clock.runDue();

        assertEquals(List.of(11L), committed);
    }

    @Test
    void triggersNeverWaitForTheStorage() {
        commitAfter = CommitAfter.STORAGE;
        CheckpointCoordinator coordinator = coordinator(1000, 10_000, 0, 1, 0);
        for (long id = 11; id <= 20; id++) {
            clock.advance(1000);
            ackAll(coordinator, id);
        }

        assertEquals(10, completed.size(), "ten checkpoints completed, none stored");
        assertEquals(List.of(), committed);
    }

    @Test
    void whenEverySourceFinished_aFinalCheckpointIsTakenAtOnce_andNothingAfter() {
        CheckpointCoordinator coordinator = coordinator(60_000, 10_000, 0, 1, 0);
        coordinator.sourceFinished("source-0");
        clock.runDue();
        assertEquals(List.of(), gateway);
        coordinator.sourceFinished("source-1");
        clock.runDue();
        assertEquals(List.of("trigger 11 final"), gateway);

        ackAll(coordinator, 11);

        assertEquals("true", stored.get(0).metadata().get(CompletedCheckpoint.META_FINISHED));
        assertTrue(completed.get(0).finalCheckpoint());
        clock.advance(600_000);
        assertEquals(List.of("trigger 11 final", "complete 11"), gateway);
    }

    @Test
    void sourcesThatFinishBeforeTheStart_count_andTheFinalCheckpointIsTakenAtTheStart() {
        CheckpointCoordinator coordinator = unstarted(60_000, 10_000, 0, 1, 0);
        coordinator.sourceFinished("source-0");
        coordinator.sourceFinished("source-1");
        clock.runDue();
        assertEquals(List.of(), gateway, "nothing before the start");

        coordinator.start();
        clock.runDue();

        assertEquals(List.of("trigger 11 final"), gateway);
    }

    @Test
    void aTaskThatFailsBeforeTheStart_asksForFailover_andTheCoordinatorNeverStarts() {
        CheckpointCoordinator coordinator = unstarted(1000, 5000, 0, 1, 10);
        coordinator.taskFailed("source-1", "cannot open input");
        clock.runDue();
        assertEquals(List.of("TASK_FAILURE: task source-1 failed: cannot open input"), failovers);

        coordinator.start();
        clock.advance(10_000);

        assertEquals(List.of(), gateway, "a stopped coordinator triggers nothing");
    }

    @Test
    // the old code retried at once, forever, on the manual clock
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anIdThatCannotBeTaken_isAskedForAgainAnIntervalLater_notAtOnce() {
        idsRefused = true;
        coordinator(1000, 5000, 0, 1, 0);
        clock.advance(1000);
        assertEquals(List.of(), gateway, "no id, no trigger");

        idsRefused = false;
        clock.advance(999);
        assertEquals(List.of(), gateway, "a storage that refused the id lease is not asked again at once");
        clock.advance(1);

        assertEquals(List.of("trigger 11"), gateway);
        assertEquals(List.of(), failovers, "not a checkpoint failure");
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anIdThatCannotBeTaken_forTheFinalCheckpoint_isAskedForAgainSoon_backingOff() {
        CheckpointCoordinator coordinator = coordinator(60_000, 5000, 0, 1, 0);
        idsRefused = true;
        coordinator.sourceFinished("source-0");
        coordinator.sourceFinished("source-1");
        clock.runDue(); // refused
        clock.advance(100); // refused again
        assertEquals(List.of(), gateway);

        idsRefused = false;
        clock.advance(199);
        assertEquals(List.of(), gateway, "the second wait is twice the first");
        clock.advance(1);

        assertEquals(List.of("trigger 11 final"), gateway, "urgent: not an interval (60 s) later");
    }

    @Test
    void aFailedFinalCheckpoint_isRetried() {
        CheckpointCoordinator coordinator = coordinator(60_000, 1000, 0, 1, 5);
        coordinator.sourceFinished("source-0");
        coordinator.sourceFinished("source-1");
        clock.runDue();
        clock.advance(1000);
        assertEquals(List.of("trigger 11 final", "abort 11", "trigger 12 final"), gateway);
    }

    @Test
    void aStoreFailure_failsTheCheckpoint_andCounts() {
        storeAnswersAtOnce = false;
        CheckpointCoordinator coordinator = coordinator(1000, 5000, 0, 1, 0);
        clock.advance(1000);
        ackAll(coordinator, 11);

        storeResults.get(0).completeExceptionally(new IllegalStateException("no partition owner"));
        clock.runDue();

        assertEquals(CheckpointFailureReason.SNAPSHOT_STORE, failed.get(0).reason());
        assertTrue(failed.get(0).detail().contains("no partition owner"));
        assertEquals(1, failovers.size(), "tolerable-failures 0");
        assertEquals(List.of("trigger 11", "abort 11"), gateway, "never told complete");
    }

    @Test
    void aSavepoint_isTakenAtOnce_regardlessOfTheInterval_andItsRequestCompletes() throws Exception {
        CheckpointCoordinator coordinator = coordinator(60_000, 5000, 0, 1, 0);
        clock.advance(100);

        CompletableFuture<CompletedCheckpoint> savepoint = coordinator.triggerSavepoint();
        clock.runDue();
        assertEquals(List.of("trigger 11"), gateway);
        assertTrue(!savepoint.isDone());

        ackAll(coordinator, 11);

        assertEquals(CheckpointType.SAVEPOINT, savepoint.get().type());
        assertEquals(CheckpointType.SAVEPOINT, stored.get(0).type());
        assertEquals(CheckpointType.SAVEPOINT, completed.get(0).type());
        clock.advance(59_000);
        assertEquals(List.of("trigger 11", "complete 11"), gateway, "the interval still counts from the start");
        clock.advance(1_000);
        assertEquals("trigger 12", gateway.get(2));
        ackAll(coordinator, 12);
        assertEquals(CheckpointType.CHECKPOINT, stored.get(1).type(), "and then plain checkpoints again");
    }

    @Test
    void aSavepointThatTimesOut_failsItsRequestWithTheReason() {
        CheckpointCoordinator coordinator = coordinator(60_000, 2000, 0, 1, 5);
        CompletableFuture<CompletedCheckpoint> savepoint = coordinator.triggerSavepoint();
        clock.runDue();

        clock.advance(2000);

        ExecutionException e = assertThrows(ExecutionException.class, savepoint::get);
        assertEquals(CheckpointFailureReason.TIMEOUT, ((CheckpointFailure) e.getCause()).reason());
    }

    @Test
    void aSavepointAskedOfAStoppedCoordinator_failsAtOnce() {
        CheckpointCoordinator coordinator = coordinator(1000, 2000, 0, 1, 5);
        coordinator.stop();
        clock.runDue();

        CompletableFuture<CompletedCheckpoint> savepoint = coordinator.triggerSavepoint();
        clock.runDue();

        assertTrue(savepoint.isCompletedExceptionally());
        assertEquals(List.of(), gateway);
    }

    @Test
    void aTaskFailure_stopsEverything_andAsksForFailover() {
        CheckpointCoordinator coordinator = coordinator(1000, 5000, 0, 1, 10);
        clock.advance(1000);
        coordinator.taskFailed("sink-1", "disk full");
        clock.runDue();

        assertEquals(List.of("TASK_FAILURE: task sink-1 failed: disk full"), failovers);
        assertEquals(CheckpointFailureReason.TASK_FAILURE, failed.get(0).reason());
        clock.advance(10_000);
        assertEquals(List.of("trigger 11"), gateway);
    }
}
