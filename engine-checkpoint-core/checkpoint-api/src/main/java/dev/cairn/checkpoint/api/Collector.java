package dev.cairn.checkpoint.api;

/** Where a source or transform emits records. */
public interface Collector {
    void collect(Object record) throws InterruptedException;
}
