package dev.cairn.checkpoint.coordinator;

import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import java.util.concurrent.CompletionStage;

/** Where a completed checkpoint becomes durable in the cluster's memory. */
public interface CompletedCheckpointStore {

    /**
     * Encodes and stores {@code checkpoint}. Completes once it is held with all its configured
     * backups: that is the moment the checkpoint is complete. Completes exceptionally, with the
     * cause, if it cannot be stored.
     */
    CompletionStage<Long> add(CompletedCheckpoint checkpoint);

    /**
     * Checkpoint {@code id} will never complete (it failed, or its acknowledgement came too late):
     * drop whatever its tasks put aside for it (the chunks of their parts). Must not block.
     */
    default void abandoned(long id) {}
}
