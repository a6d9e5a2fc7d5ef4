package dev.cairn.checkpoint.storage.api;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A durable store of completed checkpoints: opaque bytes addressed by job, pipeline and
 * checkpoint id. This is the whole contract a storage plugin implements; the engine keeps
 * everything else (encoding, checksums, retention, choosing the latest valid checkpoint,
 * retries and asynchronous dispatch) to itself, once, for every plugin.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Atomic.</b> A checkpoint is visible (listed and loadable) only once all of its bytes
 *       are. A {@link #store store} that fails or is interrupted at any point, the process being
 *       killed included, leaves either no checkpoint or the complete previous one under that id,
 *       never a part. Temporary objects a plugin uses to get there never appear in any listing.
 *   <li><b>Durable.</b> When {@code store} returns, the checkpoint survives a crash of this process
 *       and of the machine as far as the backend can promise it (for files: the data and the
 *       directory entry are synced).
 *   <li><b>Replace, not append.</b> Storing an id that exists replaces it atomically; readers see
 *       the old or the new bytes. (The engine only ever stores identical bytes under one id, for
 *       instance when a flush is retried after a failover.)
 *   <li><b>Ordered and whole.</b> {@link #list} returns every id, in ascending numeric order, so
 *       the last one is the latest whatever the store order or the clock. A pipeline may hold more
 *       ids than one page of an object store's listing.
 *   <li><b>Isolated.</b> Jobs and pipelines never see each other's checkpoints. Nothing is read or
 *       written outside the configured namespace: every name is validated by {@link JobId} and
 *       {@link PipelineKey} before it reaches the plugin.
 *   <li><b>Absent is not an error.</b> Loading an absent checkpoint returns {@link
 *       Optional#empty()}; listing an absent pipeline or job returns an empty list; deleting
 *       something absent does nothing.
 *   <li><b>Shared backend.</b> Two instances configured alike see the same checkpoints: data
 *       outlives the instance and the process.
 *   <li><b>Thread-safe.</b> All methods may be called from several threads at once. Concurrent
 *       operations on different pipelines do not interfere.
 *   <li><b>Several writers.</b> Instances in several processes (the members of a cluster) may store
 *       different ids of one job, and of one pipeline, at once: none loses another's. Each member
 *       stores the parts of the task states it holds ({@link FileLayout#partsOf}).
 *   <li><b>Errors.</b> Backend failures throw {@link CheckpointStorageException} whose message
 *       names the job, pipeline, checkpoint id and path involved. Methods called after {@link
 *       #close()} throw {@link IllegalStateException}. A plugin never puts a credential into a
 *       message, a log line or {@link Object#toString()}.
 * </ul>
 *
 * <p>{@code toString()} describes the store for people (its kind and location, never a secret).
 */
public interface CheckpointStorage extends AutoCloseable {

    /**
     * Stores one completed checkpoint: all bytes of {@code data}, read to its end, atomically and
     * durably under {@code pipeline} and {@code id}, replacing any checkpoint with that id.
     *
     * <p>If reading {@code data} or writing fails, nothing becomes visible (see the class
     * contract) and the exception is thrown. The stream is not closed by this method.
     *
     * @throws CheckpointStorageException if the backend or {@code data} fails
     */
    void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException;

    /**
     * Loads the complete bytes of one checkpoint.
     *
     * @return the bytes, or empty if no such checkpoint is stored
     * @throws CheckpointStorageException if the backend fails or the checkpoint cannot be read whole
     */
    Optional<byte[]> load(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException;

    /**
     * Lists the ids of a pipeline's stored checkpoints in ascending order; empty if none.
     *
     * @throws CheckpointStorageException if the backend fails
     */
    List<CheckpointId> list(PipelineKey pipeline) throws CheckpointStorageException;

    /**
     * Lists the pipelines of a job that have (or had) stored checkpoints, sorted by name; empty if
     * none.
     *
     * @throws CheckpointStorageException if the backend fails
     */
    List<PipelineKey> pipelines(JobId job) throws CheckpointStorageException;

    /**
     * Lists the jobs that have (or had) stored checkpoints, sorted by id; empty if none.
     *
     * @throws CheckpointStorageException if the backend fails
     */
    List<JobId> jobs() throws CheckpointStorageException;

    /**
     * Deletes one checkpoint. Deleting an absent checkpoint does nothing.
     *
     * @throws CheckpointStorageException if the backend fails
     */
    void delete(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException;

    /**
     * Deletes every checkpoint of every pipeline of a job, and the job itself from {@link #jobs()}.
     * Deleting an absent job does nothing.
     *
     * @throws CheckpointStorageException if the backend fails; what was deleted stays deleted
     */
    void deleteJob(JobId job) throws CheckpointStorageException;

    /**
     * Releases the backend's resources (connections, file system handles, login threads).
     * Idempotent; afterwards every other method throws {@link IllegalStateException}.
     */
    @Override
    void close();
}
