package dev.cairn.checkpoint.api;

import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.storage.api.JobId;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Where jobs run: an engine in this process ({@link #local}) or running members ({@link
 * #connect}). The same calls either way.
 *
 * <pre>{@code
 * try (CairnEngine engine = CairnEngine.local(EngineConfig.builder().checkpointInterval(Duration.ofSeconds(1)).build())) {
 *     JobHandle job = engine.submit(new JobSpec(JobId.of("orders"), "my-job", Map.of()));
 *     JobResult result = job.result().get();
 * }
 * }</pre>
 *
 * <p>The implementation is found with {@link ServiceLoader} ({@link CairnEngineProvider}): put
 * Cairn's cluster jar on the class path.
 */
public interface CairnEngine extends AutoCloseable {

    /**
     * Starts an engine in this process: one member that joins no cluster. Job types are found
     * with {@link ServiceLoader} on the thread's context class loader.
     */
    static CairnEngine local(EngineConfig config) {
        return local(config, Thread.currentThread().getContextClassLoader());
    }

    /** Starts an engine in this process that finds job types with {@link ServiceLoader} in {@code jobs}. */
    static CairnEngine local(EngineConfig config, ClassLoader jobs) {
        return provider().local(config, jobs);
    }

    /** Connects to running members. */
    static CairnEngine connect(ClusterAddress cluster) {
        return provider().connect(cluster);
    }

    private static CairnEngineProvider provider() {
        return ServiceLoader.load(CairnEngineProvider.class, CairnEngine.class.getClassLoader())
                .findFirst()
                .orElseThrow(() ->
                        new IllegalStateException("no Cairn engine on the class path: add the checkpoint-cluster jar"));
    }

    /**
     * Submits a job, or attaches to it if it already runs (a job that already finished answers
     * with its result at once).
     *
     * @throws CairnException if it is refused: its reason says why
     */
    JobHandle submit(JobSpec job);

    /**
     * Submits a job that restores exactly from a savepoint or checkpoint: the job fails, naming
     * what exists, if it is missing or unusable; never a silent fresh start.
     *
     * @throws CairnException if it is refused ({@code JOB_RUNNING} if it runs)
     */
    JobHandle submit(JobSpec job, RestoreRequest restore);

    /** The job, if the cluster knows it (running, or ended within the last day). */
    Optional<JobHandle> job(JobId id);

    /** Every job the cluster knows, by id. */
    List<JobStatus> jobs();

    /** Stops the engine in this process (its jobs stop; their checkpoints stay), or disconnects. */
    @Override
    void close();
}
