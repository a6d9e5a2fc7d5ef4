package dev.cairn.checkpoint.store;

/**
 * This master of a pipeline has been superseded: another master claimed the pipeline with a newer
 * epoch (it took over after a network partition or a failover this one did not notice). A deposed
 * master completes, stores, commits and deletes nothing more; it stops.
 */
public final class DeposedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public DeposedException(String message) {
        super(message);
    }
}
