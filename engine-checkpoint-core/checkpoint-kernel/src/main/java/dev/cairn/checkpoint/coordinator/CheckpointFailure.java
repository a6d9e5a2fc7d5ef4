package dev.cairn.checkpoint.coordinator;

/** A checkpoint failed for {@link #reason()}; the message says which and why. */
public final class CheckpointFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final FailureReason reason;

    public CheckpointFailure(FailureReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public FailureReason reason() {
        return reason;
    }
}
