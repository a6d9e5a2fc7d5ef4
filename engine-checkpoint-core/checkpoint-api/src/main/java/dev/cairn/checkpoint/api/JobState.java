package dev.cairn.checkpoint.api;

/** Where a job is in its life. */
public enum JobState {
    /** Accepted; its master has not started it yet. */
    SUBMITTED,
    RUNNING,
    /** A pipeline is between two execution attempts: restoring, waiting for storage, or for its restart delay. */
    RESTARTING,
    /** Its side of the cluster lost its quorum: nothing runs or commits until the quorum is back. */
    SUSPENDED,
    FINISHED,
    FAILED,
    CANCELLED;

    /** Whether the job has ended: finished, failed or cancelled. */
    public boolean done() {
        return this == FINISHED || this == FAILED || this == CANCELLED;
    }
}
