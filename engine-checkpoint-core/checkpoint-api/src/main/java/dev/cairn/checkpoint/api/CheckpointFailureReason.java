package dev.cairn.checkpoint.api;

/** Why a checkpoint did not complete. */
public enum CheckpointFailureReason {
    /** Not every task acknowledged within {@code checkpoint.timeout}. */
    TIMEOUT(true),
    /** A task of the pipeline failed; the pipeline restarts. */
    TASK_FAILURE(false),
    /** The completed checkpoint could not be put into the snapshot map. */
    SNAPSHOT_STORE(true),
    /** A newer checkpoint completed first. */
    SUBSUMED(false),
    /** The pipeline was stopped, restarted or cancelled. */
    PIPELINE_STOPPED(false);

    /** Whether it counts against {@code checkpoint.tolerable-failures}. */
    final boolean counts;

    CheckpointFailureReason(boolean counts) {
        this.counts = counts;
    }

    public boolean counts() {
        return counts;
    }
}
