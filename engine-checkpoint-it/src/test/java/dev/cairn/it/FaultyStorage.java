package dev.cairn.it;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/** A real storage behind the test's {@link Faults}: down, slow, or pausing in the middle of a store. */
final class FaultyStorage extends ForwardingCheckpointStorage {
    FaultyStorage(CheckpointStorage delegate) {
        super(delegate);
    }

    private static void check(PipelineKey pipeline) throws CheckpointStorageException {
        check(pipeline.jobId());
    }

    private static void check(JobId job) throws CheckpointStorageException {
        if (Faults.hangIfAsked(job.value())) {
            throw new CheckpointStorageException("the storage hung (released: the test is over)");
        }
        check();
    }

    private static void check() throws CheckpointStorageException {
        if (Faults.storageDown) {
            throw new CheckpointStorageException(Faults.outageMessage);
        }
    }

    @Override
    public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
        check(pipeline);
        try {
            Faults.Pause pause = Faults.takeStorePause(pipeline);
            if (pause != null) {
                pause.hold();
            }
            long delay = Faults.storageDelayMillis;
            if (delay > 0) {
                Thread.sleep(delay);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointStorageException("interrupted", e);
        }
        check();
        super.store(pipeline, id, data);
    }

    @Override
    public Optional<byte[]> load(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        check(pipeline);
        return super.load(pipeline, id);
    }

    @Override
    public List<CheckpointId> list(PipelineKey pipeline) throws CheckpointStorageException {
        check(pipeline);
        return super.list(pipeline);
    }

    @Override
    public List<PipelineKey> pipelines(JobId job) throws CheckpointStorageException {
        check(job);
        return super.pipelines(job);
    }

    @Override
    public List<JobId> jobs() throws CheckpointStorageException {
        check();
        return super.jobs();
    }

    @Override
    public void delete(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        check(pipeline);
        super.delete(pipeline, id);
    }

    @Override
    public void deleteJob(JobId job) throws CheckpointStorageException {
        check(job);
        super.deleteJob(job);
    }

    @Override
    public String toString() {
        return delegate() + " (with injected faults)";
    }
}
