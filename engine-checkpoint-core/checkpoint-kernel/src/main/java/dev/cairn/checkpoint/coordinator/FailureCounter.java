package dev.cairn.checkpoint.coordinator;

import dev.cairn.checkpoint.api.CheckpointFailureReason;

/**
 * Counts consecutive failed checkpoints against {@code tolerable-failures}; a completed
 * checkpoint resets it. Only failures whose reason {@link CheckpointFailureReason#counts() counts}.
 */
final class FailureCounter {
    private final int tolerable;
    private int consecutive;

    FailureCounter(int tolerable) {
        this.tolerable = tolerable;
    }

    void succeeded() {
        consecutive = 0;
    }

    /** @return whether this failure is one more than tolerated */
    boolean failed(CheckpointFailureReason reason) {
        if (!reason.counts()) {
            return false;
        }
        consecutive++;
        return consecutive > tolerable;
    }

    int consecutive() {
        return consecutive;
    }
}
