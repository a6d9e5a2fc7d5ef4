package dev.cairn.checkpoint.runtime;

/** What tasks report to their pipeline's coordinator. Called from task threads. */
public interface TaskEvents {

    /**
     * A task took its snapshot for {@code checkpointId}; {@code records} is, for a sink, how many
     * records it was given since its previous snapshot (those the checkpoint carries to it), and 0
     * for any other task.
     */
    void acknowledged(long checkpointId, String taskId, byte[] state, long records);

    /** A source has emitted everything. */
    void sourceFinished(String taskId);

    /** A sink committed every transaction up to {@code checkpointId}. */
    void committed(long checkpointId, String taskId);

    /** A task failed; the pipeline has to restart. */
    void failed(String taskId, Throwable error);
}
