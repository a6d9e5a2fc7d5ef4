package dev.cairn.checkpoint.api;

/**
 * Produces a pipeline's records. Its snapshot says where to resume reading: after a restore, it
 * emits again from there (the engine replays; a sink commits only checkpoints that are stored).
 *
 * @param <T> the records it emits
 */
public interface Source<T> extends CheckpointAware {

    /**
     * Emits up to {@code max} records, and returns soon: checkpoint barriers are taken between two
     * calls. A source that must keep a pace (a rate limit) paces itself here.
     *
     * @return false once the source has nothing more to emit, ever
     */
    boolean emit(Collector<? super T> out, int max) throws Exception;
}
