package dev.cairn.cli;

import dev.cairn.checkpoint.api.config.StorageConfig;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.CheckpointStorageFactories;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The configured checkpoint storage, opened for one command: what the commands share to walk its
 * checkpoints and check them. {@link #toString()} names the storage without any secret.
 */
final class StorageSession implements AutoCloseable {
    private final CheckpointStorage storage;

    private StorageSession(CheckpointStorage storage) {
        this.storage = storage;
    }

    /** Opens the storage a configuration names; failing, ends the command with status 1. */
    static StorageSession open(StorageConfig config) {
        try {
            return new StorageSession(CheckpointStorageFactories.find(config.type(), CliPlugins.loader())
                    .create(config.pluginConfig()));
        } catch (CheckpointStorageException | RuntimeException | LinkageError e) {
            throw new CliException(
                    Cairn.EXIT_FAILED,
                    "cannot open the checkpoint storage " + config.type() + " " + config.maskedPluginConfig() + ": "
                            + (e instanceof LinkageError ? CheckpointStorageFactories.describe(e) : e.getMessage()));
        }
    }

    CheckpointStorage storage() {
        return storage;
    }

    /**
     * Every stored checkpoint of one job, or of every job: jobs and pipelines in storage order
     * (sorted by name), ids ascending.
     */
    List<StoredCheckpoint> checkpoints(Optional<JobId> job) throws CheckpointStorageException {
        List<StoredCheckpoint> all = new ArrayList<>();
        for (PipelineKey pipeline : pipelines(job)) {
            if (FileLayout.holdsIds(pipeline) || FileLayout.holdsParts(pipeline)) {
                continue; // the engine's id lease, and the parts manifests name: not checkpoints
            }
            for (CheckpointId id : storage.list(pipeline)) {
                all.add(new StoredCheckpoint(pipeline, id));
            }
        }
        return all;
    }

    /**
     * The checkpoint id leases of one job, or of every job: the highest per pipeline ({@link
     * FileLayout#idsOf}). A copy takes them along, so that a cluster restored from the copy never
     * issues again an id the original cluster may have used.
     */
    List<StoredCheckpoint> idLeases(Optional<JobId> job) throws CheckpointStorageException {
        List<StoredCheckpoint> leases = new ArrayList<>();
        for (PipelineKey pipeline : pipelines(job)) {
            List<CheckpointId> ids = FileLayout.holdsIds(pipeline) ? storage.list(pipeline) : List.of();
            if (!ids.isEmpty()) {
                leases.add(new StoredCheckpoint(pipeline, ids.get(ids.size() - 1)));
            }
        }
        return leases;
    }

    /** The stored pipelines of one job, or of every job, in storage order. */
    private List<PipelineKey> pipelines(Optional<JobId> job) throws CheckpointStorageException {
        List<PipelineKey> all = new ArrayList<>();
        for (JobId j : job.isPresent() ? List.of(job.get()) : storage.jobs()) {
            all.addAll(storage.pipelines(j));
        }
        return all;
    }

    /** Ends the command with status 1 if the job has nothing stored. */
    void requireJob(JobId job) throws CheckpointStorageException {
        if (storage.pipelines(job).isEmpty()) {
            throw new CliException(Cairn.EXIT_FAILED, "no job " + job + " in " + this);
        }
    }

    boolean contains(StoredCheckpoint checkpoint) throws CheckpointStorageException {
        return storage.list(checkpoint.location()).contains(checkpoint.id());
    }

    Optional<byte[]> load(StoredCheckpoint checkpoint) throws CheckpointStorageException {
        return storage.load(checkpoint.location(), checkpoint.id());
    }

    /** Loads and checks one checkpoint; a load that fails is an {@link Verdict#UNREADABLE} verdict. */
    Verdict verify(StoredCheckpoint checkpoint) {
        try {
            Optional<byte[]> blob = load(checkpoint);
            if (blob.isEmpty()) {
                return Verdict.unreadable("listed, but no longer stored (deleted meanwhile?)");
            }
            return Verdict.of(checkpoint, blob.get(), storage); // a manifest's parts too
        } catch (CheckpointStorageException e) {
            return Verdict.unreadable(e.getMessage());
        }
    }

    /**
     * Deletes a checkpoint, and then the parts stored under its id ({@link FileLayout#partsOf}),
     * which nothing else names: a manifest goes first, so none ever names a missing part.
     */
    void delete(StoredCheckpoint checkpoint) throws CheckpointStorageException {
        storage.delete(checkpoint.location(), checkpoint.id());
        PipelineKey parts = FileLayout.partsOf(checkpoint.location());
        long from = FileLayout.partId(checkpoint.id(), 0).value();
        long to = from + FileLayout.PARTS_PER_CHECKPOINT;
        for (CheckpointId part : storage.list(parts)) {
            if (part.value() >= from && part.value() < to) {
                storage.delete(parts, part);
            }
        }
    }

    @Override
    public void close() {
        storage.close();
    }

    @Override
    public String toString() {
        return storage.toString();
    }
}
