package dev.cairn.checkpoint.api;

/**
 * Turns each record into zero or more records.
 *
 * @param <I> the records it takes
 * @param <O> the records it emits
 */
public interface Transform<I, O> extends CheckpointAware {
    void process(I record, Collector<? super O> out) throws Exception;
}
