package dev.cairn.checkpoint.store;

import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.Optional;
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

    /** Forgets the pipeline: its record and every checkpoint held of it. */
    void remove(PipelineKey pipeline);
}
