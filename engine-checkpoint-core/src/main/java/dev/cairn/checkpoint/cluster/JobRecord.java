package dev.cairn.checkpoint.cluster;

import dev.cairn.checkpoint.runtime.JobSpec;
import dev.cairn.checkpoint.serialization.CairnKryo;
import dev.cairn.checkpoint.storage.api.JobId;
import java.util.HashMap;

/**
 * A job as the cluster knows it, in the {@code cairn.jobs} map: its definition, state and
 * progress. Written by the job master; read by a new master after failover and by clients
 * following the job.
 *
 * @param recordsCommitted records the job's sinks have committed, in total
 * @param lastCheckpointMillis trigger-to-complete time of the latest completed checkpoint
 * @param lastCheckpointBytes task state size of the latest completed checkpoint
 * @param flushBacklog completed checkpoints not yet in storage
 * @param restarts pipeline restarts (failovers) since the job was submitted
 */
public record JobRecord(
        String jobId,
        String type,
        HashMap<String, String> params,
        State state,
        String message,
        long recordsCommitted,
        long checkpointsCompleted,
        long checkpointsFailed,
        long lastCheckpointMillis,
        long lastCheckpointBytes,
        int flushBacklog,
        int restarts,
        long updatedAt) {

    public enum State {
        SUBMITTED,
        RUNNING,
        RESTARTING,
        FINISHED,
        FAILED;

        public boolean done() {
            return this == FINISHED || this == FAILED;
        }
    }

    static JobRecord submitted(JobSpec spec, long now) {
        return new JobRecord(
                spec.jobId().value(),
                spec.type(),
                new HashMap<>(spec.params()),
                State.SUBMITTED,
                "",
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                now);
    }

    public JobSpec spec() {
        return new JobSpec(JobId.of(jobId), type, params);
    }

    JobRecord with(State newState, String newMessage, long now) {
        return new JobRecord(
                jobId,
                type,
                params,
                newState,
                newMessage,
                recordsCommitted,
                checkpointsCompleted,
                checkpointsFailed,
                lastCheckpointMillis,
                lastCheckpointBytes,
                flushBacklog,
                restarts,
                now);
    }

    public byte[] encode() {
        return CairnKryo.encodeMessage(this);
    }

    public static JobRecord decode(byte[] bytes) {
        return bytes == null ? null : (JobRecord) CairnKryo.decodeMessage(bytes);
    }
}
