package dev.cairn.checkpoint.api;

/** Why a checkpoint was taken, which decides how long it is kept. */
public enum CheckpointType {
    /** Taken every {@code interval}; pruned to {@code max-retained} per pipeline. */
    CHECKPOINT,
    /** Taken on request; kept until a user deletes it, never pruned. */
    SAVEPOINT
}
