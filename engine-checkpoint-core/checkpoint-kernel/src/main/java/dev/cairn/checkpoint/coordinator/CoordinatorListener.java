package dev.cairn.checkpoint.coordinator;

import dev.cairn.checkpoint.api.CheckpointFailureReason;
import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;

/** What a coordinator tells its job master. Called on the coordinator thread; must not block. */
public interface CoordinatorListener {

    /** {@code checkpoint} is in the snapshot map with its backups: the pipeline's restore point. */
    void completed(CompletedCheckpoint checkpoint, CheckpointStats stats);

    /**
     * Tasks were told to commit every checkpoint up to {@code id} (epoch millis {@code at}); {@code
     * records} is how many records the sinks had been given up to it (-1 if not known here).
     */
    default void committed(long id, long at, long records) {}

    /** A checkpoint did not complete. */
    void failed(CheckpointStats stats);

    /**
     * The pipeline must restart from its last completed checkpoint: a task failed, or more
     * consecutive checkpoints failed than {@code tolerable-failures} allows. The coordinator has
     * stopped.
     */
    void failoverRequired(CheckpointFailureReason reason, String detail);
}
