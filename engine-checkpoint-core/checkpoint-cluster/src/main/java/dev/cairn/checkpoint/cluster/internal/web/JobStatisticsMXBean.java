package dev.cairn.checkpoint.cluster.internal.web;

/**
 * One job's checkpoint statistics, as every member exposes them over JMX under {@code
 * dev.cairn:type=Job,job=JOB,member=MEMBER}. Read from the cluster's job record.
 */
public interface JobStatisticsMXBean {
    String getType();

    String getState();

    /** Why the job ended or is restarting, for people; empty while it runs normally. */
    String getMessage();

    /** Pipeline restarts (failovers) since the job was submitted. */
    int getRestarts();

    /** What the latest execution attempt restored from, for people. */
    String getRestoredFrom();

    /** Why completed checkpoints are not reaching storage (naming the path); empty while they are. */
    String getStorageError();

    long getRecordsCommitted();

    /** Checkpoints completed in the cluster's memory (the restore point after a failure). */
    long getCheckpointsCompleted();

    /** Checkpoints whose commit the sinks were told of ({@code commit-after} says when). */
    long getCheckpointsCommitted();

    long getLastCommittedId();

    /** {@code storage} or {@code cluster}: when completed checkpoints are committed. */
    String getCommitAfter();

    /** What a person should know beyond the state (a restore that fell back, a wait); empty if nothing. */
    String getWarning();

    /** Why the job failed (TOO_MANY_RESTARTS, ...), empty unless it did; the message says more. */
    String getFailureReason();

    /** The master epoch of the job's pipelines. */
    long getEpoch();

    long getCheckpointsFailed();

    long getRestores();

    int getFlushBacklog();

    long getLastCheckpointId();

    long getLastCheckpointDurationMillis();

    long getLastCheckpointBytes();

    /** The recent checkpoints, as JSON (id, type, times, sizes, slowest ack, status, flush). */
    String getHistoryJson();
}
