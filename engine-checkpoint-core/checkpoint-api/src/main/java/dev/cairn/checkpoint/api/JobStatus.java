package dev.cairn.checkpoint.api;

import dev.cairn.checkpoint.storage.api.JobId;
import java.util.ArrayList;
import java.util.HashMap;

/**
 * A job as the cluster knows it: its definition, state and progress, as its master last published
 * it (every 200 ms while something changes). What {@code job list}, the statistics and a {@link
 * JobHandle} show; after a master failover the new master continues its counters.
 *
 * @param recordsCommitted records the job's sinks have committed, in total
 * @param lastCheckpointMillis trigger-to-complete time of the latest completed checkpoint
 * @param lastCheckpointBytes task state size of the latest completed checkpoint
 * @param flushBacklog completed checkpoints not yet in storage
 * @param storageError why the oldest of them is not in storage yet (the latest failed write,
 *     naming the path), or null while writes succeed
 * @param restarts pipeline restarts (failovers) since the job was submitted
 * @param lastCheckpointId the latest completed checkpoint id (of any pipeline), -1 if none
 * @param restoredFrom what the latest execution attempt restored from, for people
 * @param restores how many times a pipeline was restored from a checkpoint
 * @param history the recent checkpoints of every pipeline, oldest first
 * @param checkpointsCommitted checkpoints whose commit the tasks were told of (sinks committed)
 * @param lastCommittedId the latest committed checkpoint id (of any pipeline), -1 if none
 * @param commitAfter {@code storage} or {@code cluster}: when a completed checkpoint is committed
 * @param warning what a person should know beyond the state: a restore that fell back past
 *     unusable checkpoints (and which output may repeat), or why the job waits; null if nothing
 * @param epoch the master epoch of the job's pipelines (the highest), 0 before the first claim
 * @param pipelines each pipeline's counters, in the job's pipeline order
 * @param failure why the job failed, once it has; null otherwise
 */
public record JobStatus(
        String jobId,
        String type,
        HashMap<String, String> params,
        JobState state,
        String message,
        long recordsCommitted,
        long checkpointsCompleted,
        long checkpointsFailed,
        long lastCheckpointMillis,
        long lastCheckpointBytes,
        int flushBacklog,
        String storageError,
        int restarts,
        long lastCheckpointId,
        String restoredFrom,
        long restores,
        ArrayList<CheckpointStats> history,
        long updatedAt,
        long checkpointsCommitted,
        long lastCommittedId,
        String commitAfter,
        String warning,
        long epoch,
        ArrayList<PipelineStats> pipelines,
        JobFailure failure) {

    /**
     * The {@link #message} of a job submitted again after it had finished: its pipelines restored
     * their final checkpoints, their sinks committed those checkpoints' transactions again (a no-op
     * for a sink that had), and nothing new ran.
     */
    public static final String FINISHED_BEFORE = "finished before; only its final checkpoint's commits were made again";

    /** Whether this is a job that had finished before it was submitted again (see {@link #FINISHED_BEFORE}). */
    public boolean finishedBefore() {
        return state == JobState.FINISHED && FINISHED_BEFORE.equals(message);
    }

    /** A record without pipelines (from a master that published none) has an empty list. */
    public JobStatus {
        pipelines = pipelines == null ? new ArrayList<>() : pipelines;
    }

    /** The counters of pipeline {@code name}, or null if the record has none for it. */
    public PipelineStats pipeline(String name) {
        for (PipelineStats p : pipelines) {
            if (p.pipeline().equals(name)) {
                return p;
            }
        }
        return null;
    }

    /** The same record, saying the job is suspended for {@code why}. */
    public JobStatus suspended(String why) {
        return new JobStatus(
                jobId,
                type,
                params,
                JobState.SUSPENDED,
                why,
                recordsCommitted,
                checkpointsCompleted,
                checkpointsFailed,
                lastCheckpointMillis,
                lastCheckpointBytes,
                flushBacklog,
                storageError,
                restarts,
                lastCheckpointId,
                restoredFrom,
                restores,
                history,
                System.currentTimeMillis(),
                checkpointsCommitted,
                lastCommittedId,
                commitAfter,
                warning,
                epoch,
                pipelines,
                failure);
    }

    /** How the job ended, once it has. */
    public java.util.Optional<JobResult> result() {
        return state.done()
                ? java.util.Optional.of(new JobResult(state, java.util.Optional.ofNullable(failure), this))
                : java.util.Optional.empty();
    }

    public JobSpec spec() {
        return new JobSpec(JobId.of(jobId), type, params);
    }
}
