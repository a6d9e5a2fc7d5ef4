package dev.cairn.checkpoint.flush;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.io.Failures;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.snapshot.StateHandle;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.CheckpointMemory;
import dev.cairn.checkpoint.store.HeldParts;
import dev.cairn.checkpoint.store.InMemoryCheckpointMemory;
import dev.cairn.checkpoint.store.StateParts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member stores the parts it put from the bytes it holds, and reads the others back from the
 * map: the chunks are deleted from the map here before the store, so only held bytes can make it.
 */
class LocalPartStorerTest {
    private static final PipelineKey PIPELINE = PipelineKey.of("job-1", "1");

    @TempDir
    Path dir;

    private CheckpointStorage storage;
    private StorageCalls calls;

    @BeforeEach
    void open() throws Exception {
        storage = CheckpointStorageFactories.find("localfile", getClass().getClassLoader())
                .create(Map.of("namespace", dir.toString()));
        calls = new StorageCalls(storage, 20_000);
    }

    @AfterEach
    void close() {
        calls.close();
        storage.close();
    }

    /** Checkpoint 5 of one task whose 10,000-byte state is a part in 4 KiB chunks, whose chunks the map then loses. */
    private CompletedCheckpoint writtenThenLost(CheckpointMemory memory, byte[] state) throws Exception {
        CompletedCheckpoint manifest = written(memory, state);
        memory.deleteChunks(PIPELINE, 5);
        return manifest;
    }

    /** Checkpoint 5 of one task whose state is a part in 4 KiB chunks, held by this process. */
    private CompletedCheckpoint written(CheckpointMemory memory, byte[] state) throws Exception {
        TaskState part = StateParts.write(memory, PIPELINE, 5, "sink-0", state, 4096, "me", true)
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        return new CompletedCheckpoint(
                PIPELINE, CheckpointId.of(5), CheckpointType.CHECKPOINT, 1, 2, List.of(part), Map.of());
    }

    @Test
    void aPartThisProcessHolds_isStoredFromItsBytes() throws Exception {
        byte[] state = new byte[10_000];
        new Random(1).nextBytes(state);
        HeldParts held = new HeldParts(1 << 20);
        CompletedCheckpoint manifest = writtenThenLost(new InMemoryCheckpointMemory(held), state);

        new LocalPartStorer(new InMemoryCheckpointMemory(held), calls)
                .store(PIPELINE, manifest)
                .get(20, TimeUnit.SECONDS);

        byte[] stored = storage.load(FileLayout.partsOf(PIPELINE), FileLayout.partId(CheckpointId.of(5), 0))
                .orElseThrow();
        TaskState part = manifest.taskStates().get(0);
        assertArrayEquals(state, PartCodec.read(stored, PIPELINE, 5, "sink-0", part.handle()), "a part that verifies");
        assertEquals(0, held.bytes(), "let go once taken");
    }

    /**
     * An operator that returned an array it goes on writing into: the held bytes no longer have
     * their checksum, so the store of them fails before it completes, and the copy the map holds
     * is stored instead.
     */
    @Test
    void aHeldPartWhoseArrayChangedAfterwards_isStoredFromTheMapsCopy() throws Exception {
        byte[] state = new byte[10_000];
        new Random(2).nextBytes(state);
        byte[] taken = state.clone();
        HeldParts held = new HeldParts(1 << 20);
        CheckpointMemory memory = new InMemoryCheckpointMemory(held);
        CompletedCheckpoint manifest = written(memory, state);
        state[9_000] ^= 1; // the operator writes on

        new LocalPartStorer(memory, calls).store(PIPELINE, manifest).get(20, TimeUnit.SECONDS);

        byte[] stored = storage.load(FileLayout.partsOf(PIPELINE), FileLayout.partId(CheckpointId.of(5), 0))
                .orElseThrow();
        TaskState part = manifest.taskStates().get(0);
        assertArrayEquals(taken, PartCodec.read(stored, PIPELINE, 5, "sink-0", part.handle()), "the state as taken");
    }

    /** A storage that reads its source in small pieces (not by transferTo) is checked as well. */
    @Test
    void aHeldPartReadInPieces_failsAtItsEndIfItChanged() throws Exception {
        byte[] state = new byte[10_000];
        new Random(3).nextBytes(state);
        PartCodec.Framed part = PartCodec.frame(PIPELINE, 5, "sink-0", state);
        StateHandle handle = part.handle(4096, new int[3], "me");

        LocalPartStorer.CheckedPart intact = new LocalPartStorer.CheckedPart(part, handle);
        assertArrayEquals(part.toBytes(), readInPieces(intact));

        state[17] ^= 1;
        LocalPartStorer.CheckedPart changed = new LocalPartStorer.CheckedPart(part, handle);
        assertThrows(IOException.class, () -> readInPieces(changed));
        assertTrue(changed.changed());
    }

    /** The array changes while the store writes it: what it was handed stops short of the end. */
    @Test
    void aHeldPartChangedWhileItIsHandedOn_failsBeforeItsLastSlice() throws Exception {
        byte[] state = new byte[3 << 20];
        new Random(4).nextBytes(state);
        PartCodec.Framed part = PartCodec.frame(PIPELINE, 5, "sink-0", state);
        StateHandle handle = part.handle(4 << 20, new int[1], "me");
        LocalPartStorer.CheckedPart checked = new LocalPartStorer.CheckedPart(part, handle);
        ByteArrayOutputStream written = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                super.write(b, off, len);
                state[state.length - 1] ^= 1; // the operator writes on
            }
        };

        assertThrows(IOException.class, () -> checked.transferTo(written));

        assertTrue(checked.changed());
        assertTrue(written.size() < part.size(), "the last slice was not handed on: " + written.size());
    }

    private static byte[] readInPieces(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] piece = new byte[7];
        for (int n; (n = in.read(piece, 0, piece.length)) >= 0; ) {
            out.write(piece, 0, n);
        }
        return out.toByteArray();
    }

    @Test
    void aPartNotHeld_isReadFromTheMap() throws Exception {
        CheckpointMemory memory = new InMemoryCheckpointMemory();
        CompletedCheckpoint manifest = writtenThenLost(memory, new byte[10_000]);

        ExecutionException failed = assertThrows(ExecutionException.class, () -> new LocalPartStorer(memory, calls)
                .store(PIPELINE, manifest)
                .get(20, TimeUnit.SECONDS));

        Throwable cause = Failures.cause(failed);
        while (!(cause instanceof SnapshotFormatException) && cause.getCause() != null) {
            cause = cause.getCause(); // the storage call names the part it could not store
        }
        SnapshotFormatException missing = assertInstanceOf(SnapshotFormatException.class, cause);
        assertEquals(SnapshotFormatException.Reason.MISSING_PART, missing.reason());
    }
}
