package dev.cairn.checkpoint.runtime;

/**
 * What every operator shares: it restores from the bytes it snapshotted, and hears how the
 * checkpoints it took part in ended. All calls come from the operator's own task thread.
 */
public interface CheckpointAware {

    /**
     * Restores from a snapshot before any other call; {@code state} is null for a fresh start.
     */
    void restore(byte[] state) throws Exception;

    /** The operator's state as of the barrier of {@code checkpointId}. */
    byte[] snapshot(long checkpointId) throws Exception;

    /** Checkpoint {@code checkpointId} is durable in the cluster: a sink commits here. */
    default void notifyCheckpointComplete(long checkpointId) throws Exception {}

    /** Checkpoint {@code checkpointId} was aborted; state taken for it will not be used. */
    default void notifyCheckpointAborted(long checkpointId) throws Exception {}

    /** The task stops (finished, cancelled or failed); release resources. */
    default void close() throws Exception {}
}
