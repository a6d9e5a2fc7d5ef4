package dev.cairn.checkpoint.store;

import dev.cairn.checkpoint.io.Failures;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.snapshot.StateHandle;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Task states held apart from their checkpoint: a large state is framed as a part ({@link
 * PartCodec}) where the task ran, cut into chunks that go into the cluster's memory ({@link
 * CheckpointMemory#putChunk}) beside, not through, the master, and acknowledged with a {@link
 * StateHandle}. The checkpoint that names them is a manifest. In storage, the part of the
 * manifest's {@code n}-th task state is checkpoint {@link FileLayout#partId}{@code (id, n)} of {@link
 * FileLayout#partsOf}{@code (where)}.
 *
 * <p>Every read verifies: a chunk that is gone makes the part {@link
 * SnapshotFormatException.Reason#MISSING_PART missing}; a part whose header, checksum or identity
 * fails, or that differs from its handle, is {@link SnapshotFormatException.Reason#CORRUPT_PART
 * corrupt}. Stateless; thread-safe.
 */
public final class StateParts {
    /** Bytes per chunk: a few MiB, so that no single value is huge and puts stream. */
    public static final int CHUNK_SIZE = 4 << 20;

    private StateParts() {}

    /**
     * A part whose chunks could not all be put into the cluster's memory. Some may be there: {@link
     * #chunks} names every one that was tried, for the writer to delete, since nothing else will
     * name them.
     */
    public static final class NotPutAside extends RuntimeException {
        private final transient List<ChunkKey> chunks;

        NotPutAside(List<ChunkKey> chunks, Throwable cause) {
            super(cause.getMessage(), cause);
            this.chunks = List.copyOf(chunks);
        }

        public List<ChunkKey> chunks() {
            return chunks;
        }
    }

    /**
     * Frames {@code state} as the part of {@code taskId} in checkpoint {@code id}, puts its chunks
     * into {@code memory} (at once, placed where this process writes cheaply), and completes with
     * the task's state as a handle once every chunk is held; or, once every put has answered and
     * one failed, with {@link NotPutAside}.
     */
    public static CompletionStage<TaskState> write(
            CheckpointMemory memory,
            PipelineKey pipeline,
            long id,
            String taskId,
            byte[] state,
            int chunkSize,
            String writer) {
        return write(memory, pipeline, id, taskId, state, chunkSize, writer, false);
    }

    /**
     * {@link #write}, and with {@code hold} the part is also kept in {@link
     * CheckpointMemory#heldParts} once every chunk is held, for this process to store it from
     * {@code state}: only for a state no one changes after (a task's snapshot, not a state handed
     * on to a task to restore).
     */
    public static CompletionStage<TaskState> write(
            CheckpointMemory memory,
            PipelineKey pipeline,
            long id,
            String taskId,
            byte[] state,
            int chunkSize,
            String writer,
            boolean hold) {
        PartCodec.Framed part = PartCodec.frame(pipeline, id, taskId, state);
        int chunks = StateHandle.chunks(part.size(), chunkSize);
        int[] placements = memory.placeChunks(chunks);
        if (placements.length != chunks) {
            throw new IllegalStateException(memory + " placed " + placements.length + " of " + chunks + " chunks");
        }
        List<CompletableFuture<?>> puts = new ArrayList<>(chunks);
        List<ChunkKey> keys = new ArrayList<>(chunks);
        for (int n = 0; n < chunks; n++) {
            long offset = (long) n * chunkSize;
            ChunkKey key = new ChunkKey(pipeline, id, taskId, n, placements[n]);
            keys.add(key);
            try {
                puts.add(memory.putChunk(key, part, offset, (int) Math.min(chunkSize, part.size() - offset))
                        .toCompletableFuture());
            } catch (RuntimeException e) {
                puts.add(CompletableFuture.failedFuture(e));
                break; // the rest would fail too
            }
        }
        StateHandle handle = part.handle(chunkSize, placements, writer);
        return CompletableFuture.allOf(puts.toArray(CompletableFuture<?>[]::new))
                .handle((v, error) -> {
                    if (error != null) {
                        throw new NotPutAside(keys, Failures.cause(error));
                    }
                    if (hold) {
                        memory.heldParts().hold(pipeline, id, taskId, part);
                    }
                    return TaskState.of(taskId, handle);
                });
    }

    /**
     * The chunks of the part of {@code state}, read from the cluster's memory and verified as one
     * part, but not joined: what a member stores ({@link dev.cairn.checkpoint.io.ChunksInputStream}).
     *
     * @throws SnapshotFormatException MISSING_PART if a chunk is gone, CORRUPT_PART if it fails
     */
    public static byte[][] chunksFromMemory(CheckpointMemory memory, PipelineKey pipeline, long id, TaskState state)
            throws SnapshotFormatException {
        byte[][] chunks = fetchChunks(memory, pipeline, id, state);
        PartCodec.verify(chunks, pipeline, id, state.taskId(), state.handle());
        return chunks;
    }

    /** The chunks of the part of {@code state} from the cluster's memory, not yet verified. */
    private static byte[][] fetchChunks(CheckpointMemory memory, PipelineKey pipeline, long id, TaskState state)
            throws SnapshotFormatException {
        StateHandle handle = state.handle();
        byte[][] chunks = new byte[handle.chunkCount()][];
        for (int n = 0; n < chunks.length; n++) {
            Optional<byte[]> chunk =
                    memory.getChunk(new ChunkKey(pipeline, id, state.taskId(), n, handle.placements()[n]));
            if (chunk.isEmpty()) {
                throw SnapshotFormatException.missingPart(
                        "chunk " + n + " of " + handle.chunkCount() + " of the part of " + state.taskId()
                                + " in checkpoint " + id + " is not in the cluster's memory");
            }
            chunks[n] = chunk.get();
        }
        return chunks;
    }

    /**
     * The state of the {@code ordinal}-th task of {@code checkpoint}: its inline bytes, or its part
     * read from the cluster's memory if it holds every chunk, else from the storage, and verified.
     * A restore reads each task's state so on the member that will run the task.
     *
     * @param memory the cluster's memory, or null to read from storage only
     * @param storage the storage, or null to read from memory only
     * @param where where the checkpoint is stored ({@code P} or {@code P.savepoints})
     * @throws SnapshotFormatException MISSING_PART if the part is in neither, CORRUPT_PART if it fails
     */
    public static byte[] state(
            CompletedCheckpoint checkpoint,
            int ordinal,
            CheckpointMemory memory,
            CheckpointStorage storage,
            PipelineKey where)
            throws SnapshotFormatException, CheckpointStorageException {
        TaskState state = checkpoint.taskStates().get(ordinal);
        if (state.inline()) {
            return state.state();
        }
        PipelineKey pipeline = checkpoint.pipeline();
        long id = checkpoint.id().value();
        SnapshotFormatException inMemory = null;
        if (memory != null) {
            try {
                // verified once, and the state copied straight out of the chunks
                return PartCodec.read(
                        fetchChunks(memory, pipeline, id, state), pipeline, id, state.taskId(), state.handle());
            } catch (SnapshotFormatException e) {
                inMemory = e;
            }
        }
        if (storage == null) {
            throw inMemory;
        }
        CheckpointId partId = FileLayout.partId(checkpoint.id(), ordinal);
        byte[] part = storage.load(FileLayout.partsOf(where), partId).orElse(null);
        if (part == null) {
            throw SnapshotFormatException.missingPart("checkpoint " + id + " names part " + partId + " ("
                    + state.taskId() + "), which is not stored"
                    + (inMemory != null ? "; in memory: " + inMemory.getMessage() : ""));
        }
        return PartCodec.read(part, pipeline, id, state.taskId(), state.handle());
    }

    /**
     * The checkpoint with every state inline: each handle's part read from the cluster's memory
     * if it holds every chunk, else from the storage, and verified.
     *
     * @param memory the cluster's memory, or null to read from storage only
     * @param storage the storage, or null to read from memory only
     * @param where where the checkpoint is stored ({@code P} or {@code P.savepoints})
     * @throws SnapshotFormatException MISSING_PART if a part is in neither, CORRUPT_PART if one fails
     */
    public static CompletedCheckpoint resolve(
            CompletedCheckpoint checkpoint, CheckpointMemory memory, CheckpointStorage storage, PipelineKey where)
            throws SnapshotFormatException, CheckpointStorageException {
        if (checkpoint.allInline()) {
            return checkpoint;
        }
        List<TaskState> states = new ArrayList<>();
        List<TaskState> all = checkpoint.taskStates();
        for (int i = 0; i < all.size(); i++) {
            TaskState state = all.get(i);
            states.add(
                    state.inline()
                            ? state
                            : new TaskState(state.taskId(), state(checkpoint, i, memory, storage, where)));
        }
        return new CompletedCheckpoint(
                checkpoint.pipeline(),
                checkpoint.id(),
                checkpoint.type(),
                checkpoint.triggeredAt(),
                checkpoint.completedAt(),
                states,
                checkpoint.metadata());
    }
}
