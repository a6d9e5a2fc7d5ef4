package dev.cairn.checkpoint.cluster;

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

    long getCheckpointsCompleted();

    long getCheckpointsFailed();

    long getRestores();

    int getFlushBacklog();

    long getLastCheckpointId();

    long getLastCheckpointDurationMillis();

    long getLastCheckpointBytes();

    /** The recent checkpoints, as JSON (id, type, times, sizes, slowest ack, status, flush). */
    String getHistoryJson();
}
