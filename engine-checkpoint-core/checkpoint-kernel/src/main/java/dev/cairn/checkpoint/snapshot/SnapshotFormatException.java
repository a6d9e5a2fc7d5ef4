package dev.cairn.checkpoint.snapshot;

/** A blob that is not a readable snapshot: it fails its header, length, checksum or decoding. */
public final class SnapshotFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Which check a blob failed. */
    public enum Reason {
        TOO_SHORT,
        BAD_MAGIC,
        UNSUPPORTED_VERSION,
        UNKNOWN_FLAGS,
        LENGTH_MISMATCH,
        CHECKSUM_MISMATCH,
        MALFORMED_PAYLOAD,
        /** A valid snapshot, but of another pipeline or id than where it was found. */
        MISPLACED,
        /** A manifest naming a task's part that is not there. */
        MISSING_PART,
        /** A task's part that fails its header, checksum, identity or the manifest's handle. */
        CORRUPT_PART
    }

    private final Reason reason;

    SnapshotFormatException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    SnapshotFormatException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** A valid snapshot found where another should be. */
    public static SnapshotFormatException misplaced(String message) {
        return new SnapshotFormatException(Reason.MISPLACED, message);
    }

    /** A manifest that names a part not there. */
    public static SnapshotFormatException missingPart(String message) {
        return new SnapshotFormatException(Reason.MISSING_PART, message);
    }

    /**
     * A failure another member found and reported by its reason's name and message: the same
     * exception here, so that the same policies apply to it.
     */
    public static SnapshotFormatException reported(Reason reason, String message) {
        return new SnapshotFormatException(reason, message);
    }

    public Reason reason() {
        return reason;
    }
}
