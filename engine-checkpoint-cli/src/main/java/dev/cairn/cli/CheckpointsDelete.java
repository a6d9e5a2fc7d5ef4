package dev.cairn.cli;

import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cairn checkpoints delete --job ID [--pipeline P --id C] [--yes]}: deletes a whole job
 * (every checkpoint and savepoint of every pipeline), or with {@code --pipeline} and {@code --id}
 * one checkpoint ({@code P} may be {@code P.savepoints}, to delete a savepoint). Without {@code
 * --yes} it only prints what it would delete and changes nothing.
 *
 * <p>Exit status: 0 deleted or dry run; 1 if the job or checkpoint is not stored or the storage
 * fails; 2 for a usage or configuration problem ({@code --pipeline} without {@code --id} or the
 * reverse included).
 */
@Command(
        name = "delete",
        mixinStandardHelpOptions = true,
        description = {
            "Deletes a whole job, or one checkpoint with --pipeline and --id (dry run without --yes).",
            "A savepoint of pipeline P is deleted with --pipeline P.savepoints.",
            "Exit status: 0 deleted or dry run, 1 not stored or a failure, 2 usage."
        })
final class CheckpointsDelete extends StorageCommand {
    private static final String DRY_RUN = "dry run; run again with --yes to delete";

    @Option(names = "--job", required = true, paramLabel = "ID", description = "The job.")
    String job;

    @Option(names = "--pipeline", paramLabel = "P", description = "The pipeline of the one checkpoint to delete.")
    String pipeline;

    @Option(names = "--id", paramLabel = "C", description = "The id of the one checkpoint to delete.")
    Long id;

    @Option(names = "--yes", description = "Delete (without it: a dry run).")
    boolean yes;

    @Override
    void checkArguments() {
        JobId jobId = StoredCheckpoint.jobArgument(job);
        if ((pipeline == null) != (id == null)) {
            throw usage("--pipeline and --id go together: give both to delete one checkpoint,"
                    + " or neither to delete the whole job");
        }
        if (pipeline != null) {
            if (FileLayout.holdsIds(StoredCheckpoint.pipelineArgument(jobId, pipeline))) {
                throw usage("pipeline " + pipeline + " holds the engine's checkpoint id lease, not checkpoints;"
                        + " without it a restarted job could use a checkpoint id again (delete the whole job instead)");
            }
            if (FileLayout.holdsParts(StoredCheckpoint.pipelineArgument(jobId, pipeline))) {
                throw usage("pipeline " + pipeline + " holds the parts of checkpoints, not checkpoints;"
                        + " delete the checkpoint that names them instead");
            }
            StoredCheckpoint.idArgument(id);
        }
    }

    @Override
    int run(StorageSession storage, PrintWriter out, PrintWriter err) throws CheckpointStorageException {
        JobId jobId = StoredCheckpoint.jobArgument(job);
        if (pipeline != null) {
            deleteOne(
                    storage,
                    new StoredCheckpoint(
                            StoredCheckpoint.pipelineArgument(jobId, pipeline), StoredCheckpoint.idArgument(id)),
                    out);
        } else {
            deleteJob(storage, jobId, out);
        }
        return 0;
    }

    private void deleteOne(StorageSession storage, StoredCheckpoint checkpoint, PrintWriter out)
            throws CheckpointStorageException {
        if (!storage.contains(checkpoint)) {
            Optional<StoredCheckpoint> savepoint = checkpoint.savepointTwin();
            if (savepoint.isPresent() && storage.contains(savepoint.get())) {
                throw new CliException(
                        Cairn.EXIT_FAILED,
                        "no " + checkpoint + " in " + storage + "; " + id + " is a savepoint, stored as pipeline "
                                + savepoint.get().location().pipeline() + ": to delete it, pass --pipeline "
                                + savepoint.get().location().pipeline());
            }
            throw new CliException(Cairn.EXIT_FAILED, "no " + checkpoint + " in " + storage);
        }
        if (!yes) {
            out.println("would delete " + checkpoint);
            out.println(DRY_RUN);
            return;
        }
        storage.delete(checkpoint);
        out.println("deleted " + checkpoint + " from " + storage);
    }

    private void deleteJob(StorageSession storage, JobId jobId, PrintWriter out) throws CheckpointStorageException {
        storage.requireJob(jobId);
        List<StoredCheckpoint> all = storage.checkpoints(Optional.of(jobId));
        long savepoints = all.stream().filter(StoredCheckpoint::savepoint).count();
        String what = "job " + jobId + ": " + count(all.size() - savepoints, "checkpoint") + " and "
                + count(savepoints, "savepoint");
        if (!yes) {
            all.forEach(c -> out.println("would delete " + c));
            out.println("would delete " + what);
            out.println(DRY_RUN);
            return;
        }
        storage.storage().deleteJob(jobId);
        out.println("deleted " + what + " from " + storage);
    }
}
