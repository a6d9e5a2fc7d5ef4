package dev.cairn.checkpoint.coordinator;

/**
 * How one checkpoint went, for the history and the statistics.
 *
 * @param id the checkpoint id
 * @param finalCheckpoint whether it was the pipeline's last
 * @param triggeredAt epoch millis
 * @param endedAt when it completed or failed, epoch millis
 * @param stateSize bytes of task state (0 if it failed)
 * @param encodedSize bytes of the encoded snapshot (0 if it failed)
 * @param slowestTask the task whose acknowledgement came last (or is still missing, on failure)
 * @param slowestAckMillis how long after the trigger that acknowledgement came
 * @param reason why it failed; null if it completed
 * @param detail a sentence on the failure; empty if it completed
 */
public record CheckpointStats(
        long id,
        boolean finalCheckpoint,
        long triggeredAt,
        long endedAt,
        long stateSize,
        long encodedSize,
        String slowestTask,
        long slowestAckMillis,
        FailureReason reason,
        String detail) {

    public boolean completed() {
        return reason == null;
    }

    public long durationMillis() {
        return endedAt - triggeredAt;
    }
}
