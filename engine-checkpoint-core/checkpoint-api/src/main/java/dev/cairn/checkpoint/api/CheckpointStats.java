package dev.cairn.checkpoint.api;

import java.util.HashMap;

/**
 * How one checkpoint went, for the history and the statistics.
 *
 * @param pipeline the pipeline's name
 * @param id the checkpoint id
 * @param type checkpoint or savepoint
 * @param finalCheckpoint whether it was the pipeline's last
 * @param triggeredAt epoch millis
 * @param endedAt when it completed or failed, epoch millis
 * @param stateSize bytes of task state (0 if it failed)
 * @param encodedSize bytes of the encoded snapshot (0 if it failed)
 * @param slowestTask the task whose acknowledgement came last (or is still missing, on failure)
 * @param slowestAckMillis how long after the trigger that acknowledgement came
 * @param reason why it failed; null if it completed
 * @param detail a sentence on the failure; empty if it completed
 * @param flushedAt when it was written to storage, epoch millis; -1 if not (yet), or never (a
 *     newer one was written instead)
 * @param flushMillis how long the write to storage took; -1 if not (yet)
 * @param committedAt when tasks were told to commit up to it (sinks commit), epoch millis; -1 if
 *     not (yet), or never by this id (a newer one's commit covered it)
 * @param ackMillis every task that acknowledged it and how long after the trigger, in millis; a
 *     task missing here never acknowledged (a failure). One entry per task of the pipeline at
 *     most, so bounded by its parallelism
 */
public record CheckpointStats(
        String pipeline,
        long id,
        CheckpointType type,
        boolean finalCheckpoint,
        long triggeredAt,
        long endedAt,
        long stateSize,
        long encodedSize,
        String slowestTask,
        long slowestAckMillis,
        CheckpointFailureReason reason,
        String detail,
        long flushedAt,
        long flushMillis,
        long committedAt,
        HashMap<String, Long> ackMillis) {

    /** Copies {@code ackMillis} (null: none), so that what the caller keeps cannot change it. */
    public CheckpointStats {
        ackMillis = ackMillis == null ? new HashMap<>() : new HashMap<>(ackMillis);
    }

    public boolean completed() {
        return reason == null;
    }

    public long durationMillis() {
        return endedAt - triggeredAt;
    }

    /** The same, once written to storage. */
    public CheckpointStats flushed(long at, long millis) {
        return new CheckpointStats(
                pipeline,
                id,
                type,
                finalCheckpoint,
                triggeredAt,
                endedAt,
                stateSize,
                encodedSize,
                slowestTask,
                slowestAckMillis,
                reason,
                detail,
                at,
                millis,
                committedAt,
                ackMillis);
    }

    /** The same, once tasks were told to commit it. */
    public CheckpointStats committed(long at) {
        return new CheckpointStats(
                pipeline,
                id,
                type,
                finalCheckpoint,
                triggeredAt,
                endedAt,
                stateSize,
                encodedSize,
                slowestTask,
                slowestAckMillis,
                reason,
                detail,
                flushedAt,
                flushMillis,
                at,
                ackMillis);
    }
}
