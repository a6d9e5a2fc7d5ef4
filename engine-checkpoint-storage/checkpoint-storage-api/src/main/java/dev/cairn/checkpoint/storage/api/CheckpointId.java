package dev.cairn.checkpoint.storage.api;

/**
 * The id of a checkpoint within a pipeline. Ids only grow: the highest id is the latest
 * checkpoint, whatever the order or time at which checkpoints were stored.
 *
 * @param value a non-negative number
 */
public record CheckpointId(long value) implements Comparable<CheckpointId> {

    /**
     * Checks the id.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public CheckpointId {
        if (value < 0) {
            throw new IllegalArgumentException("checkpoint id must not be negative, was " + value);
        }
    }

    public static CheckpointId of(long value) {
        return new CheckpointId(value);
    }

    public CheckpointId next() {
        return new CheckpointId(Math.addExact(value, 1));
    }

    @Override
    public int compareTo(CheckpointId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
