package dev.cairn.checkpoint.api;

import java.util.Objects;

/**
 * A user's choice of what a submitted job restores from: exactly this savepoint or checkpoint, or
 * a clear error; never a silent fresh start.
 *
 * @param type {@link CheckpointType#SAVEPOINT} or {@link CheckpointType#CHECKPOINT}
 * @param id the id (of each pipeline)
 */
public record RestoreRequest(CheckpointType type, long id) {
    public RestoreRequest {
        Objects.requireNonNull(type, "type");
        if (id < 0) {
            throw new IllegalArgumentException("a checkpoint id is not negative, was " + id);
        }
    }

    @Override
    public String toString() {
        return type.name().toLowerCase(java.util.Locale.ROOT) + " " + id;
    }
}
