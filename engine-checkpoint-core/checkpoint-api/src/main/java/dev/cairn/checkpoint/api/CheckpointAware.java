package dev.cairn.checkpoint.api;

/**
 * What every operator shares: it restores from the bytes it snapshotted, and hears how the
 * checkpoints it took part in ended. All calls come from the operator's own task thread.
 */
public interface CheckpointAware {

    /**
     * Restores from a snapshot before any other call; {@code state} is null for a fresh start. The
     * checkpoint restored from is committed (in storage, with {@code commit-after: storage}): a
     * sink commits the transactions that {@code state} lists as it restores, and may discard any
     * other transaction of its own. Restoring the same state again must be harmless (commit is
     * idempotent): after a failure the same checkpoint can be restored more than once.
     */
    void restore(byte[] state) throws Exception;

    /**
     * The operator's state as of the barrier of {@code checkpointId}. The array returned is the
     * engine's from then on, which keeps and stores it after this call returns: return a new array
     * each time (or a copy), never one the operator goes on changing. (Should it change anyway,
     * what the engine stores is checked against the checksum it took of the array: bytes that
     * differ are never stored, and a checkpoint may then not be stored at all.)
     */
    byte[] snapshot(long checkpointId) throws Exception;

    /**
     * Checkpoint {@code checkpointId} is <em>committed</em>: a sink commits here every transaction it
     * pre-committed up to that checkpoint.
     *
     * <p>With {@code commit-after: storage} (the default) this comes only once the checkpoint is in
     * the persistent storage, so a sink never commits anything that a later restore, even after a
     * full cluster restart, would replay. With {@code commit-after: cluster} it comes as soon as the
     * checkpoint is completed in the cluster's memory (see the configuration docs for what that
     * mode guarantees). Either way: ids only grow, each is told at most once, and an id may be
     * skipped (a later one covers it: commit everything up to the id you hear). Never for the
     * checkpoint the task restored from, or an older one: {@link #restore} committed those.
     */
    default void notifyCheckpointComplete(long checkpointId) throws Exception {}

    /** Checkpoint {@code checkpointId} was aborted; state taken for it will not be used. */
    default void notifyCheckpointAborted(long checkpointId) throws Exception {}

    /** The task stops (finished, cancelled or failed); release resources. */
    default void close() throws Exception {}
}
