package dev.cairn.checkpoint.api;

import java.util.List;

/**
 * A kind of job, found by {@link #type()} with {@link java.util.ServiceLoader} on every member.
 * Builds the pipelines of a {@link JobSpec}.
 */
public interface JobDefinition {

    String type();

    /** Problems with the parameters, each a sentence naming the parameter; empty if none. */
    List<String> validate(JobSpec spec);

    List<PipelineDefinition> pipelines(JobSpec spec);

    /**
     * What must not change for a job to resume from its checkpoints, e.g. its input and its
     * parallelism. Stored in every checkpoint and compared on restore.
     */
    String fingerprint(JobSpec spec);
}
