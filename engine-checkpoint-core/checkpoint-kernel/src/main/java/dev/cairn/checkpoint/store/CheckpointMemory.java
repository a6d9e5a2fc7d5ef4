package dev.cairn.checkpoint.store;

import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * Where completed checkpoints live until the storage has them, and each pipeline's record: the
 * cluster's memory, as the kernel sees it. The cluster keeps both in IMaps with {@code backup-count}
 * synchronous backups; an engine that embeds the kernel alone brings its own, or uses {@link
 * InMemoryCheckpointMemory}. Calls may block (a map put waits for its backups); the kernel makes
 * them on I/O threads, never on the coordinator's.
 */
public interface CheckpointMemory {

    /** The pipeline's record, or {@link PipelineRecord#EMPTY} if it has none. */
    PipelineRecord record(PipelineKey pipeline);

    /**
     * Replaces the pipeline's record by {@code change} applied to it, atomically: a concurrent
     * change in between makes {@code change} run again on the newer record. {@code change} may
     * throw to refuse; nothing changes then.
     */
    PipelineRecord update(PipelineKey pipeline, UnaryOperator<PipelineRecord> change);

    /** Holds an encoded checkpoint; returns once it is as safe as this memory makes anything. */
    void put(PipelineKey pipeline, long id, byte[] blob);

    Optional<byte[]> get(PipelineKey pipeline, long id);

    /** Drops a held checkpoint; dropping an absent one does nothing. */
    void delete(PipelineKey pipeline, long id);

    /** Forgets the pipeline: its record and every checkpoint held of it, chunks included. */
    void remove(PipelineKey pipeline);

    // ---- task states held apart from their checkpoint (parts, in chunks)

    /**
     * Where {@code count} chunks written from this process should go: placements this memory puts
     * and reads cheaply from here (in the cluster, partitions the local member owns). Any placement
     * is correct wherever it is read; this is about cost only.
     */
    default int[] placeChunks(int count) {
        return new int[count];
    }

    /**
     * Holds one chunk of a task's part. Completes once the chunk is as safe as {@link #put} makes
     * a checkpoint (in the cluster: with its synchronous backups).
     */
    CompletionStage<Void> putChunk(ChunkKey key, byte[] chunk);

    /**
     * {@link #putChunk(ChunkKey, byte[])} of bytes {@code [offset, offset + length)} of {@code
     * part}: a memory that serializes its values may write them once, straight into the form it
     * sends, instead of copying a slice first.
     */
    default CompletionStage<Void> putChunk(ChunkKey key, PartCodec.Framed part, long offset, int length) {
        return putChunk(key, part.slice(offset, length));
    }

    /**
     * The parts this process put lately, kept for it to store them from its own bytes ({@link
     * HeldParts}); none by default, and every part is then read back from this memory to be stored.
     */
    default HeldParts heldParts() {
        return HeldParts.NONE;
    }

    /** A chunk, or empty if this memory lost it (or never had it). */
    Optional<byte[]> getChunk(ChunkKey key);

    /**
     * Drops every chunk of checkpoint {@code id} of the pipeline, whichever task's, found by a search
     * (for chunks nothing names any more); blocking.
     */
    void deleteChunks(PipelineKey pipeline, long id);

    /** Drops the chunks named; blocking. Cheaper than a search: used for checkpoints this process put. */
    void deleteChunks(java.util.Collection<ChunkKey> keys);

    /** The checkpoints of the pipeline that have chunks held, for sweeping what nothing names. */
    Set<Long> chunkedIds(PipelineKey pipeline);
}
