package dev.cairn.checkpoint.flush;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.cairn.checkpoint.cluster.CairnMember;
import dev.cairn.checkpoint.snapshot.CheckpointType;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.PipelineSnapshots;
import dev.cairn.checkpoint.store.SnapshotMaps;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The flusher on a real member's map and the {@code localfile} plugin. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipelineFlusherTest {
    private static final PipelineKey PIPELINE = PipelineKey.of("job-1", "1");

    @TempDir
    Path dir;

    private final ScheduledExecutorService io = Executors.newSingleThreadScheduledExecutor();
    private HazelcastInstance member;
    private CheckpointStorage storage;
    private PipelineSnapshots snapshots;

    @BeforeEach
    void start() throws Exception {
        member = Hazelcast.newHazelcastInstance(SnapshotMaps.configure(CairnMember.localConfig(), 0));
        storage = CheckpointStorageFactories.find("localfile", getClass().getClassLoader())
                .create(Map.of("namespace", dir.toString()));
        snapshots = new PipelineSnapshots(new SnapshotMaps(member), PIPELINE, io);
    }

    @AfterEach
    void stop() {
        io.shutdownNow();
        storage.close();
        member.shutdown();
    }

    private long complete(long id) throws Exception {
        CompletedCheckpoint checkpoint = new CompletedCheckpoint(
                PIPELINE,
                CheckpointId.of(id),
                CheckpointType.CHECKPOINT,
                1,
                2,
                List.of(new TaskState("source-0", new byte[] {(byte) id})),
                Map.of());
        snapshots.add(checkpoint).toCompletableFuture().get(30, TimeUnit.SECONDS);
        return id;
    }

    /**
     * A checkpoint that completes while its member closes (the member's I/O threads already gone)
     * must neither fail the coordinator that reports it nor be lost: it stays in the map, and the
     * flusher of whoever takes over writes it.
     */
    @Test
    void aCheckpointCompletedWhileTheMemberCloses_isLeftToTheNextFlusher() throws Exception {
        ScheduledExecutorService closedIo = Executors.newSingleThreadScheduledExecutor();
        closedIo.shutdownNow();
        PipelineFlusher closing = new PipelineFlusher(snapshots, storage, 2, closedIo, (id, millis, backlog) -> {});
        long id = complete(1);

        assertDoesNotThrow(() -> closing.completed(id));
        assertEquals(1, closing.backlog(), "still owed to storage");
        assertEquals(List.of(), storage.list(PIPELINE));

        CountDownLatch flushed = new CountDownLatch(1);
        PipelineFlusher next =
                new PipelineFlusher(snapshots, storage, 2, io, (flushedId, millis, backlog) -> flushed.countDown());
        next.wake();

        assertTrue(flushed.await(30, TimeUnit.SECONDS), "flushed by the next flusher");
        assertEquals(List.of(CheckpointId.of(id)), storage.list(PIPELINE));
        assertEquals(0, next.backlog());
    }
}
