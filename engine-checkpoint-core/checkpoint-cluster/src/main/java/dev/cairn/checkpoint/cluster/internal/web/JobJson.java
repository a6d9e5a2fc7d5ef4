package dev.cairn.checkpoint.cluster.internal.web;

import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.JobStatus;
import dev.cairn.checkpoint.api.PipelineStats;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/** Jobs and their checkpoint statistics as JSON, for the HTTP endpoint and the MBeans. */
public final class JobJson {
    private JobJson() {}

    /** A job's state and counters, without its history. */
    public static String summary(JobStatus job) {
        StringBuilder json = new StringBuilder(256);
        summary(json, job);
        return json.toString();
    }

    /** A job's state, counters, each pipeline's counters and recent checkpoints. */
    public static String detail(JobStatus job) {
        StringBuilder json = new StringBuilder(1024);
        summary(json, job);
        json.setLength(json.length() - 1);
        json.append(",\"pipelines\":[");
        for (Iterator<PipelineStats> it = job.pipelines().iterator(); it.hasNext(); ) {
            pipeline(json, it.next());
            if (it.hasNext()) {
                json.append(',');
            }
        }
        json.append("],\"checkpoints\":");
        history(json, job.history());
        return json.append('}').toString();
    }

    /** Several jobs' summaries as an array. */
    public static String summaries(Collection<JobStatus> jobs) {
        StringBuilder json = new StringBuilder("[");
        for (Iterator<JobStatus> it = jobs.iterator(); it.hasNext(); ) {
            summary(json, it.next());
            if (it.hasNext()) {
                json.append(',');
            }
        }
        return json.append(']').toString();
    }

    public static String history(Collection<CheckpointStats> checkpoints) {
        StringBuilder json = new StringBuilder();
        history(json, checkpoints);
        return json.toString();
    }

    private static void summary(StringBuilder json, JobStatus job) {
        json.append('{');
        field(json, "jobId", job.jobId()).append(',');
        field(json, "type", job.type()).append(',');
        field(json, "state", job.state().name()).append(',');
        field(json, "message", job.message()).append(',');
        field(json, "recordsCommitted", job.recordsCommitted()).append(',');
        field(json, "checkpointsCompleted", job.checkpointsCompleted()).append(',');
        field(json, "checkpointsCommitted", job.checkpointsCommitted()).append(',');
        field(json, "checkpointsFailed", job.checkpointsFailed()).append(',');
        field(json, "commitAfter", job.commitAfter()).append(',');
        field(json, "restores", job.restores()).append(',');
        field(json, "restarts", job.restarts()).append(',');
        field(json, "flushBacklog", job.flushBacklog()).append(',');
        field(json, "storageError", job.storageError()).append(',');
        field(json, "lastCheckpointId", job.lastCheckpointId()).append(',');
        field(json, "lastCheckpointMillis", job.lastCheckpointMillis()).append(',');
        field(json, "lastCheckpointBytes", job.lastCheckpointBytes()).append(',');
        field(json, "lastCommittedId", job.lastCommittedId()).append(',');
        field(json, "restoredFrom", job.restoredFrom()).append(',');
        field(json, "warning", job.warning()).append(',');
        field(
                        json,
                        "failureReason",
                        job.failure() == null ? null : job.failure().reason().name())
                .append(',');
        field(json, "epoch", job.epoch()).append(',');
        field(json, "updatedAt", job.updatedAt());
        json.append('}');
    }

    private static void pipeline(StringBuilder json, PipelineStats p) {
        json.append('{');
        field(json, "pipeline", p.pipeline()).append(',');
        field(json, "checkpointsCompleted", p.checkpointsCompleted()).append(',');
        field(json, "checkpointsCommitted", p.checkpointsCommitted()).append(',');
        field(json, "checkpointsFailed", p.checkpointsFailed()).append(',');
        field(json, "restarts", p.restarts()).append(',');
        field(json, "restores", p.restores()).append(',');
        field(json, "flushBacklog", p.flushBacklog()).append(',');
        field(json, "lastCheckpointId", p.lastCheckpointId()).append(',');
        field(json, "lastCommittedId", p.lastCommittedId()).append(',');
        field(json, "lastCheckpointBytes", p.lastCheckpointBytes()).append(',');
        field(json, "storageError", p.storageError()).append(',');
        field(json, "storageErrors", p.storageErrors());
        json.append('}');
    }

    private static void history(StringBuilder json, Collection<CheckpointStats> checkpoints) {
        json.append('[');
        for (Iterator<CheckpointStats> it = checkpoints.iterator(); it.hasNext(); ) {
            CheckpointStats s = it.next();
            json.append('{');
            field(json, "pipeline", s.pipeline()).append(',');
            field(json, "id", s.id()).append(',');
            field(json, "type", s.type().name()).append(',');
            field(json, "status", s.completed() ? (s.committedAt() >= 0 ? "COMMITTED" : "COMPLETED") : "FAILED")
                    .append(',');
            field(json, "failureReason", s.reason() == null ? null : s.reason().name())
                    .append(',');
            field(json, "failure", s.detail()).append(',');
            field(json, "final", s.finalCheckpoint()).append(',');
            field(json, "triggeredAt", s.triggeredAt()).append(',');
            field(json, "durationMillis", s.durationMillis()).append(',');
            field(json, "stateBytes", s.stateSize()).append(',');
            field(json, "encodedBytes", s.encodedSize()).append(',');
            field(json, "slowestTask", s.slowestTask()).append(',');
            field(json, "slowestAckMillis", s.slowestAckMillis()).append(',');
            field(json, "flushedAt", s.flushedAt()).append(',');
            field(json, "flushMillis", s.flushMillis()).append(',');
            field(json, "committedAt", s.committedAt()).append(",\"ackMillis\":{");
            for (Iterator<Map.Entry<String, Long>> acks =
                            new TreeMap<>(s.ackMillis()).entrySet().iterator();
                    acks.hasNext(); ) {
                Map.Entry<String, Long> ack = acks.next();
                field(json, ack.getKey(), ack.getValue());
                if (acks.hasNext()) {
                    json.append(',');
                }
            }
            json.append("}}");
            if (it.hasNext()) {
                json.append(',');
            }
        }
        json.append(']');
    }

    private static StringBuilder field(StringBuilder json, String name, Object value) {
        quote(json, name).append(':'); // a task id is a name too
        if (value == null) {
            return json.append("null");
        }
        if (value instanceof Number || value instanceof Boolean) {
            return json.append(value);
        }
        return quote(json, value.toString());
    }

    /** Appends {@code s} as a JSON string. */
    public static StringBuilder quote(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }
}
