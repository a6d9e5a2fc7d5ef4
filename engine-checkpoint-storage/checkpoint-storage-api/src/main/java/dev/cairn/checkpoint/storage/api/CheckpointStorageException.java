package dev.cairn.checkpoint.storage.api;

/**
 * A storage operation failed. The message names what was attempted and, where they apply, the
 * job, pipeline, checkpoint id and path, followed by the cause. It never holds a credential.
 */
public class CheckpointStorageException extends Exception {
    private static final long serialVersionUID = 1L;

    public CheckpointStorageException(String message) {
        super(message);
    }

    public CheckpointStorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A failure of one operation on one checkpoint, pipeline or job.
     *
     * @param action what was attempted, e.g. {@code "cannot store checkpoint"}
     * @param pipeline the pipeline, or {@code null} for a job-wide or store-wide operation
     * @param job the job; taken from {@code pipeline} when that is given; may be {@code null}
     * @param id the checkpoint, or {@code null}
     * @param path where the backend was asked to act, or {@code null}
     * @param cause the underlying failure, or {@code null}
     */
    public static CheckpointStorageException of(
            String action, JobId job, PipelineKey pipeline, CheckpointId id, String path, Throwable cause) {
        StringBuilder sb = new StringBuilder(action);
        String sep = " (";
        JobId jobId = pipeline != null ? pipeline.jobId() : job;
        if (jobId != null) {
            sb.append(sep).append("job ").append(jobId);
            sep = ", ";
        }
        if (pipeline != null) {
            sb.append(sep).append("pipeline ").append(pipeline.pipeline());
            sep = ", ";
        }
        if (id != null) {
            sb.append(sep).append("checkpoint ").append(id);
            sep = ", ";
        }
        if (path != null) {
            sb.append(sep).append("path ").append(path);
            sep = ", ";
        }
        if (!sep.equals(" (")) {
            sb.append(')');
        }
        if (cause != null) {
            sb.append(": ").append(describe(cause));
        }
        return new CheckpointStorageException(sb.toString(), cause);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        String type = cause.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : type + ": " + message;
    }
}
