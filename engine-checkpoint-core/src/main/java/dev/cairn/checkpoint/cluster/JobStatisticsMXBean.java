package dev.cairn.checkpoint.cluster;

/**
 * One job's checkpoint statistics, as every member exposes them over JMX under {@code
 * dev.cairn:type=Job,job=JOB,member=MEMBER}. Read from the cluster's job record.
 */
public interface JobStatisticsMXBean {
    String getState();

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
