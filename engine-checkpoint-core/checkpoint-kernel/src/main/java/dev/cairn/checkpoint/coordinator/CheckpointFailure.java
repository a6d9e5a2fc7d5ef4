package dev.cairn.checkpoint.coordinator;

import dev.cairn.checkpoint.api.CheckpointFailureReason;

/** A checkpoint failed for {@link #reason()}; the message says which and why. */
public final class CheckpointFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final CheckpointFailureReason reason;

    public CheckpointFailure(CheckpointFailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public CheckpointFailureReason reason() {
        return reason;
    }
}
