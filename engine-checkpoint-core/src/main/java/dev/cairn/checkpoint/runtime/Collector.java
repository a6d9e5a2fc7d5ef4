package dev.cairn.checkpoint.runtime;

/** Where a source or transform emits records. */
public interface Collector {
    void collect(Object record) throws InterruptedException;
}
