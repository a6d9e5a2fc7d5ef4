package dev.cairn.checkpoint.runtime;

/**
 * Writes a pipeline's records. An exactly-once sink commits transactionally: {@link #snapshot}
 * pre-commits what was written since the last barrier (and returns what is needed to commit it
 * later), {@link #notifyCheckpointComplete} commits every pre-committed transaction up to that
 * checkpoint, and {@link #restore} commits the transactions of the restored checkpoint and
 * discards everything else.
 */
public interface Sink extends CheckpointAware {

    void write(Object record) throws Exception;

    /** Records whose commit is durable, in total, for progress reports. */
    long committedRecords();
}
