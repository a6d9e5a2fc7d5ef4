package dev.cairn.checkpoint.api;

import dev.cairn.checkpoint.storage.api.JobId;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A submitted job: follow it, save it, cancel it. Works the same whether the engine runs in this
 * process or the job runs on a cluster, and survives a change of the job's master.
 */
public interface JobHandle {

    JobId id();

    /** The job's status as the cluster has it now; empty before its master has published it. */
    Optional<JobStatus> status();

    /**
     * Completes once the job has ended, with how; completes exceptionally only with a {@link
     * CairnException} if the engine is closed or cannot be reached any more.
     */
    CompletableFuture<JobResult> result();

    /**
     * Takes a savepoint of every pipeline, and completes once each is in storage (then, with {@code
     * stopJob}, once the job is cancelled); exceptionally with a {@link CairnException} saying why
     * not ({@link CairnException.Reason#SAVEPOINT_FAILED}, {@code JOB_NOT_RUNNING}, ...).
     */
    CompletableFuture<Savepoint> savepoint(boolean stopJob);

    /** Cancels the job and completes once it has ended (its checkpoints stay, to resume it). */
    CompletableFuture<JobResult> cancel();
}
