package dev.cairn.checkpoint.api;

/**
 * Where a source or a transform emits records. Called only from the operator's own task thread;
 * may wait while the next task is behind (backpressure).
 *
 * @param <T> the records it takes
 */
@FunctionalInterface
public interface Collector<T> {
    /** Emits one record; waits while the channel to the next task is full. */
    void collect(T record) throws InterruptedException;
}
