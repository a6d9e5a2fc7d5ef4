package dev.cairn.checkpoint.api;

/**
 * One pipeline's checkpoint counters, in its job's record: what {@code /metrics} serves, on every
 * member. Counted since the job was submitted: a new master continues from its predecessor's
 * record, so none of them goes back (what a master counted in its last moments before it died,
 * and had not yet published, is lost).
 *
 * @param pipeline the pipeline's name
 * @param checkpointsCompleted checkpoints completed in the cluster's memory
 * @param checkpointsCommitted checkpoints whose commit the tasks were told of
 * @param checkpointsFailed checkpoints that failed (subsumed ones included)
 * @param restarts restarts of the pipeline (failovers); a takeover by a new master counts one
 * @param restores how many times the pipeline was restored from a checkpoint
 * @param flushBacklog completed checkpoints not yet in storage, now
 * @param lastCheckpointId the latest completed checkpoint id, -1 if none
 * @param lastCommittedId the latest committed checkpoint id, -1 if none
 * @param lastCheckpointBytes task state size of the latest completed checkpoint
 * @param storageError why completed checkpoints are not reaching storage now, null while they are
 * @param storageErrors failed writes to storage (each retry that failed counts)
 * @param duration trigger-to-completion time of every completed checkpoint
 * @param storageWrite how long each successful write to storage took until the checkpoint counted
 *     as stored (parts, manifest, fence check; not the retention that follows)
 */
public record PipelineStats(
        String pipeline,
        long checkpointsCompleted,
        long checkpointsCommitted,
        long checkpointsFailed,
        long restarts,
        long restores,
        int flushBacklog,
        long lastCheckpointId,
        long lastCommittedId,
        long lastCheckpointBytes,
        String storageError,
        long storageErrors,
        LatencyHistogram duration,
        LatencyHistogram storageWrite) {}
