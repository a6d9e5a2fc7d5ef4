package dev.cairn.checkpoint.api;

/** Turns each record into zero or more records. */
public interface Transform extends CheckpointAware {
    void process(Object record, Collector out) throws Exception;
}
