package dev.cairn.checkpoint.storage.api;

import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A storage that passes every call to another one: extend it to decorate a storage (slow it down,
 * refuse writes, count calls) by overriding only the calls that change.
 */
public abstract class ForwardingCheckpointStorage implements CheckpointStorage {
    private final CheckpointStorage delegate;

    protected ForwardingCheckpointStorage(CheckpointStorage delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The storage every call goes to. */
    protected final CheckpointStorage delegate() {
        return delegate;
    }

    @Override
    public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
        delegate.store(pipeline, id, data);
    }

    @Override
    public Optional<byte[]> load(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        return delegate.load(pipeline, id);
    }

    @Override
    public List<CheckpointId> list(PipelineKey pipeline) throws CheckpointStorageException {
        return delegate.list(pipeline);
    }

    @Override
    public List<PipelineKey> pipelines(JobId job) throws CheckpointStorageException {
        return delegate.pipelines(job);
    }

    @Override
    public List<JobId> jobs() throws CheckpointStorageException {
        return delegate.jobs();
    }

    @Override
    public void delete(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        delegate.delete(pipeline, id);
    }

    @Override
    public void deleteJob(JobId job) throws CheckpointStorageException {
        delegate.deleteJob(job);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
