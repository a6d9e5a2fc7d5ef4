package dev.cairn.checkpoint.api;

/** Produces a pipeline's records. Its snapshot says where to resume reading. */
public interface Source extends CheckpointAware {

    /**
     * Emits at most {@code max} records.
     *
     * @return false once the source has nothing more to emit, ever
     */
    boolean emit(Collector out, int max) throws Exception;
}
