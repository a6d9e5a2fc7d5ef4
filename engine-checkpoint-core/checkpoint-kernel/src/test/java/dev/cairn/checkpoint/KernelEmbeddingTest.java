package dev.cairn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.CheckpointFailureReason;
import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.config.CheckpointConfig;
import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.coordinator.CheckpointCoordinator;
import dev.cairn.checkpoint.coordinator.CoordinatorListener;
import dev.cairn.checkpoint.coordinator.ExecutorScheduler;
import dev.cairn.checkpoint.coordinator.TaskGateway;
import dev.cairn.checkpoint.flush.PipelineFlusher;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.recovery.RecoveryPlanner;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.DeposedException;
import dev.cairn.checkpoint.store.IdLease;
import dev.cairn.checkpoint.store.InMemoryCheckpointMemory;
import dev.cairn.checkpoint.store.PipelineSnapshots;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel embedded in a runtime of someone else's, as one embeds Flink's checkpoint coordinator:
 * no Hazelcast, no Cairn task. A fake runtime of two tasks answers the coordinator's triggers
 * through the {@link TaskGateway} port; the snapshots live in an in-memory {@code
 * CheckpointMemory}; the flusher writes them to a real storage plugin. Checked: the runtime is told
 * to commit only checkpoints that are in storage, and after the runtime and its memory are gone
 * (a full restart), recovery finds a stored checkpoint no older than the last commit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelEmbeddingTest {
    private static final PipelineKey PIPELINE = PipelineKey.of("embedded", "1");
    private static final String FINGERPRINT = "embedded-job v1";

    @TempDir
    Path dir;

    /** A runtime's pipeline: a source that counts, a sink that commits what the counts reached. */
    private final class FakeRuntime implements TaskGateway {
        volatile CheckpointCoordinator coordinator;
        long position; // the source's state: what it has emitted (on the coordinator's thread)
        final List<Long> commits = new CopyOnWriteArrayList<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final CheckpointStorage storage;

        FakeRuntime(CheckpointStorage storage) {
            this.storage = storage;
        }

        @Override
        public void trigger(long id, boolean finalCheckpoint) {
            position += 1_000; // records emitted since the last barrier
            byte[] state = ByteBuffer.allocate(8).putLong(position).array();
            coordinator.acknowledge(id, "source-0", state, 0);
            coordinator.acknowledge(id, "sink-0", state, 1_000);
        }

        @Override
        public void complete(long id) {
            try {
                if (!storage.list(PIPELINE).contains(CheckpointId.of(id))) {
                    violations.add("told to commit " + id + ", which is not in storage");
                }
            } catch (Exception e) {
                violations.add(e.toString());
            }
            commits.add(id);
        }

        @Override
        public void abort(long id) {}
    }

    @Test
    void aRuntimeOfItsOwn_commitsOnlyStoredCheckpoints_andRecoversFromStorageAlone() throws Exception {
        CheckpointConfig config = EngineConfig.builder()
                .checkpointInterval(Duration.ofMillis(50))
                .storage("localfile", Map.of("namespace", dir.toString()))
                .build()
                .checkpoint();
        ScheduledExecutorService io = Executors.newScheduledThreadPool(2);
        CheckpointStorage storage = CheckpointStorageFactories.find(
                        "localfile", getClass().getClassLoader())
                .create(config.storage().pluginConfig());
        StorageCalls calls = new StorageCalls(storage, 20_000);
        ExecutorScheduler scheduler = new ExecutorScheduler("embedded-coordinator");
        FakeRuntime runtime = new FakeRuntime(storage);
        try {
            PipelineSnapshots snapshots = new PipelineSnapshots(new InMemoryCheckpointMemory(), PIPELINE, io);
            IdLease ids = new IdLease(snapshots, calls, io);
            IdLease.Claim claim = ids.claim().get(30, TimeUnit.SECONDS);
            int attempt = snapshots.nextAttempt(); // the execution attempt the runtime starts
            List<Long> failed = new CopyOnWriteArrayList<>();
            PipelineFlusher flusher = new PipelineFlusher(snapshots, calls, ids, 3, io, new PipelineFlusher.Listener() {
                @Override
                public void stored(long id, long millis) {
                    runtime.coordinator.stored(id); // a commit may follow now
                }

                @Override
                public void deposed(DeposedException e) {
                    failed.add(-1L);
                }
            });
            runtime.coordinator = new CheckpointCoordinator(
                    new CheckpointCoordinator.Setup(
                            PIPELINE,
                            List.of("source-0", "sink-0"),
                            Set.of("source-0"),
                            Map.of(
                                    CompletedCheckpoint.META_JOB_SPEC,
                                    FINGERPRINT,
                                    CompletedCheckpoint.META_ATTEMPT,
                                    "1",
                                    CompletedCheckpoint.META_EPOCH,
                                    Long.toString(claim.epoch())),
                            ids::next,
                            runtime,
                            snapshots::add,
                            new CoordinatorListener() {
                                @Override
                                public void completed(CompletedCheckpoint checkpoint, CheckpointStats stats) {
                                    flusher.completed(checkpoint.id().value());
                                }

                                @Override
                                public void failed(CheckpointStats stats) {
                                    failed.add(stats.id());
                                }

                                @Override
                                public void failoverRequired(CheckpointFailureReason reason, String detail) {
                                    failed.add(-2L);
                                }
                            },
                            -1,
                            0),
                    config,
                    scheduler);
            runtime.coordinator.start();
            flusher.wake();

            TestWait.until(
                    () -> runtime.commits.size() >= 5,
                    "five commits; failed " + failed + ", position " + runtime.position + ", record "
                            + snapshots.record());
            runtime.coordinator.stop();
            flusher.close();

            assertEquals(List.of(), runtime.violations);
            assertEquals(List.of(), failed);
            List<Long> commits = List.copyOf(runtime.commits);
            assertEquals(commits.stream().sorted().distinct().toList(), commits, "in id order, each once");

            // Everything but the storage is gone: a new memory, a new master, as after a full restart.
            PipelineSnapshots fresh = new PipelineSnapshots(new InMemoryCheckpointMemory(), PIPELINE, io);
            CompletedCheckpoint restored = RecoveryPlanner.plan(fresh, storage, FINGERPRINT, true)
                    .checkpoint()
                    .orElseThrow();
            long lastCommit = commits.get(commits.size() - 1);
            assertTrue(
                    restored.id().value() >= lastCommit,
                    "restores " + restored.id() + ", not older than the last commit " + lastCommit);
            long position = ByteBuffer.wrap(
                            restored.state("sink-0").orElseThrow().state())
                    .getLong();
            assertTrue(position >= 1_000L * commits.size(), "the restored state covers every commit: " + position);
        } finally {
            scheduler.close();
            calls.close();
            storage.close();
            io.shutdownNow();
        }
    }
}
