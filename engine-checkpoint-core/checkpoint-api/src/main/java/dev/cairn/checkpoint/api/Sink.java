package dev.cairn.checkpoint.api;

/**
 * Writes a pipeline's records. An exactly-once sink commits transactionally, the way a Kafka
 * transactional producer or a JDBC XA sink does: {@link #snapshot} pre-commits what was written
 * since the last barrier (and returns what is needed to commit it later), {@link
 * #notifyCheckpointComplete} commits every pre-committed transaction up to that checkpoint, and
 * {@link #restore} commits the transactions of the restored checkpoint and discards everything else.
 *
 * <p><b>The guarantee.</b> With {@code commit-after: storage} (the default) the engine tells a sink
 * to commit only checkpoints that are in storage, and restores only from checkpoints that are in
 * storage: such a sink's output is exactly once across task failures, member and master loss,
 * storage outages and full cluster restarts, without dropping replayed records itself. The one
 * exception cannot be helped by any engine: if the newest stored checkpoint is later found corrupt,
 * its commits cannot be undone, and a restore from an older one commits that stretch again (the job
 * record says which ids; {@code corrupt-checkpoint: fail} fails the job instead).
 *
 * <p>The engine counts the records each checkpoint carries to the sinks and reports, as the job's
 * committed records, those of the checkpoints committed: a sink keeps no counters for it.
 *
 * @param <T> the records it writes
 */
public interface Sink<T> extends CheckpointAware {

    /** Writes one record into the open transaction (or whatever the sink writes into until its next snapshot). */
    void write(T record) throws Exception;
}
