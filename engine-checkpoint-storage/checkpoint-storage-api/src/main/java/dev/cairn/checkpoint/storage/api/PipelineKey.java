package dev.cairn.checkpoint.storage.api;

import java.util.Comparator;
import java.util.Objects;

/**
 * One pipeline of one job: the unit a checkpoint belongs to. The pipeline name follows the same
 * rule as a {@link JobId} (1 to 128 characters of {@code A-Z a-z 0-9 . _ -}, not starting with a
 * dot).
 *
 * @param jobId the job
 * @param pipeline the pipeline's name within the job
 */
public record PipelineKey(JobId jobId, String pipeline) implements Comparable<PipelineKey> {
    private static final Comparator<PipelineKey> ORDER =
            Comparator.comparing(PipelineKey::jobId).thenComparing(PipelineKey::pipeline);

    /**
     * Checks the pipeline name.
     *
     * @throws NullPointerException if {@code jobId} is null
     * @throws IllegalArgumentException if the pipeline name could leave the namespace
     */
    public PipelineKey {
        Objects.requireNonNull(jobId, "jobId");
        Names.check("pipeline name", pipeline);
    }

    public static PipelineKey of(String jobId, String pipeline) {
        return new PipelineKey(JobId.of(jobId), pipeline);
    }

    @Override
    public int compareTo(PipelineKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return "job " + jobId + " pipeline " + pipeline;
    }
}
