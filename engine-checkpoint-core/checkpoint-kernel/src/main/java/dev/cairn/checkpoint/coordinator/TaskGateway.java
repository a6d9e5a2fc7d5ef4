package dev.cairn.checkpoint.coordinator;

/** Reaches the tasks of the pipeline's current execution attempt. Never blocks. */
public interface TaskGateway {

    /** Asks every source to take checkpoint {@code id} and emit its barrier. */
    void trigger(long id, boolean finalCheckpoint);

    /** Tells every task that {@code id} is committed: sinks commit every transaction up to it. */
    void complete(long id);

    /** Tells every task that {@code id} was aborted. */
    void abort(long id);
}
