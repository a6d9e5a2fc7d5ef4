package dev.cairn.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException.Reason;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Task states put aside in chunks and read back: from memory, from storage, and when either fails. */
class StatePartsTest {
    private static final PipelineKey PIPELINE = PipelineKey.of("job-1", "1");

    @TempDir
    Path dir;

    private final InMemoryCheckpointMemory memory = new InMemoryCheckpointMemory();
    private CheckpointStorage storage;

    @BeforeEach
    void open() throws Exception {
        storage = CheckpointStorageFactories.find("localfile", getClass().getClassLoader())
                .create(Map.of("namespace", dir.toString()));
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private static byte[] state(int seed, int size) {
        byte[] state = new byte[size];
        new Random(seed).nextBytes(state);
        return state;
    }

    /** Checkpoint 5: an inline source state, and a sink state of 10,000 bytes as a part in 4 KiB chunks. */
    private CompletedCheckpoint manifest() throws Exception {
        TaskState part = StateParts.write(memory, PIPELINE, 5, "sink-0", state(1, 10_000), 4096, "me")
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        return new CompletedCheckpoint(
                PIPELINE,
                CheckpointId.of(5),
                CheckpointType.CHECKPOINT,
                1,
                2,
                List.of(new TaskState("source-0", new byte[] {7}), part),
                Map.of());
    }

    /** Stores the manifest's part as the flusher does: checkpoint {@code partId(5, 1)} of {@code P.parts}. */
    private void storePart(CompletedCheckpoint manifest) throws Exception {
        TaskState state = manifest.taskStates().get(1);
        byte[] part = PartCodec.join(state.handle(), StateParts.chunksFromMemory(memory, PIPELINE, 5, state));
        storage.store(
                FileLayout.partsOf(PIPELINE), FileLayout.partId(CheckpointId.of(5), 1), new ByteArrayInputStream(part));
    }

    @Test
    void aPartWritten_resolvesFromMemory_toTheStateItWasTakenFrom() throws Exception {
        CompletedCheckpoint manifest = manifest();
        assertEquals(3, manifest.taskStates().get(1).handle().chunkCount());

        CompletedCheckpoint resolved = StateParts.resolve(manifest, memory, null, PIPELINE);

        assertTrue(resolved.allInline());
        assertArrayEquals(new byte[] {7}, resolved.taskStates().get(0).state());
        assertArrayEquals(state(1, 10_000), resolved.taskStates().get(1).state());
        assertSame(resolved, StateParts.resolve(resolved, memory, null, PIPELINE), "nothing to resolve");
    }

    @Test
    void aChunkLostFromMemory_isReadFromTheStoredPart_andWithoutOne_thePartIsMissing() throws Exception {
        CompletedCheckpoint manifest = manifest();
        storePart(manifest);
        memory.deleteChunks(PIPELINE, 5);
        assertEquals(java.util.Set.of(), memory.chunkedIds(PIPELINE));

        assertArrayEquals(
                state(1, 10_000),
                StateParts.resolve(manifest, memory, storage, PIPELINE)
                        .taskStates()
                        .get(1)
                        .state());

        storage.delete(FileLayout.partsOf(PIPELINE), FileLayout.partId(CheckpointId.of(5), 1));
        SnapshotFormatException e = assertThrows(
                SnapshotFormatException.class, () -> StateParts.resolve(manifest, memory, storage, PIPELINE));
        assertEquals(Reason.MISSING_PART, e.reason());
        assertTrue(e.getMessage().contains("(sink-0), which is not stored"), e.getMessage());
    }

    @Test
    void aCorruptChunk_orACorruptStoredPart_isRefused() throws Exception {
        CompletedCheckpoint manifest = manifest();
        TaskState part = manifest.taskStates().get(1);
        ChunkKey middle = new ChunkKey(PIPELINE, 5, "sink-0", 1, part.handle().placements()[1]);
        byte[] chunk = memory.getChunk(middle).orElseThrow().clone();
        chunk[100] ^= 1;
        memory.putChunk(middle, chunk);
        SnapshotFormatException e =
                assertThrows(SnapshotFormatException.class, () -> StateParts.resolve(manifest, memory, null, PIPELINE));
        assertEquals(Reason.CORRUPT_PART, e.reason());

        // The stored part is read when memory fails, and checked all the same: a part of the right
        // length and checksum but of another task, and then one with a flipped bit.
        CompletedCheckpoint other = manifest();
        memory.deleteChunks(PIPELINE, 5);
        byte[] wrongTask = dev.cairn.checkpoint.snapshot.PartCodec.frame(PIPELINE, 5, "sink-9", state(1, 10_000))
                .toBytes();
        storage.store(
                FileLayout.partsOf(PIPELINE),
                FileLayout.partId(CheckpointId.of(5), 1),
                new ByteArrayInputStream(wrongTask));
        e = assertThrows(SnapshotFormatException.class, () -> StateParts.resolve(other, memory, storage, PIPELINE));
        assertEquals(Reason.CORRUPT_PART, e.reason());
    }
}
