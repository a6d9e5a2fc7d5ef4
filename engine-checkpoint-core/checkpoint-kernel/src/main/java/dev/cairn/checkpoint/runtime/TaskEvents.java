package dev.cairn.checkpoint.runtime;

/** What tasks report to their pipeline's coordinator. Called from task threads. */
public interface TaskEvents {

    /** A task took its snapshot for {@code checkpointId}. */
    void acknowledged(long checkpointId, String taskId, byte[] state);

    /** A source has emitted everything. */
    void sourceFinished(String taskId);

    /**
     * A sink committed every transaction up to {@code checkpointId} ({@code -1}: those of the
     * checkpoint it was restored from); {@code records} in total.
     */
    void committed(long checkpointId, String taskId, long records);

    /** A task failed; the pipeline has to restart. */
    void failed(String taskId, Throwable error);
}
