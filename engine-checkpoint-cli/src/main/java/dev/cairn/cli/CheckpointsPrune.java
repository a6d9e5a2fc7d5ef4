package dev.cairn.cli;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.JobId;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cairn checkpoints prune --job ID --keep N [--yes]}: in every pipeline of the job, deletes
 * all but the newest {@code N} checkpoints (highest ids). Savepoints ({@code P.savepoints}) are
 * never touched. Without {@code --yes} it only prints what it would delete and changes nothing.
 *
 * <p>A pipeline none of whose newest {@code N} checkpoints verifies is left alone, with a message:
 * pruning it would delete the older checkpoints the pipeline may have to restart from.
 *
 * <p>Exit status: 0 pruned, nothing to prune, or dry run; 1 if the job is not stored, a pipeline
 * was left alone as above, or the storage fails; 2 for a usage or configuration problem ({@code N}
 * below 1 included).
 */
@Command(
        name = "prune",
        mixinStandardHelpOptions = true,
        description = {
            "Keeps the newest N checkpoints of each pipeline of a job, deletes older ones (dry run without --yes).",
            "Savepoints are never touched. A pipeline none of whose newest N checkpoints verifies is left alone.",
            "Exit status: 0 pruned, nothing to prune or dry run, 1 a pipeline left alone or a failure, 2 usage."
        })
final class CheckpointsPrune extends StorageCommand {
    @Option(names = "--job", required = true, paramLabel = "ID", description = "The job to prune.")
    String job;

    @Option(
            names = "--keep",
            required = true,
            paramLabel = "N",
            description = "Checkpoints to keep per pipeline, at least 1.")
    int keep;

    @Option(names = "--yes", description = "Delete (without it: a dry run).")
    boolean yes;

    @Override
    void checkArguments() {
        StoredCheckpoint.jobArgument(job);
        if (keep < 1) {
            throw usage("--keep must be at least 1 (a pipeline restarts from its newest checkpoint), was " + keep);
        }
    }

    @Override
    int run(StorageSession storage, PrintWriter out, PrintWriter err) throws CheckpointStorageException {
        JobId jobId = StoredCheckpoint.jobArgument(job);
        storage.requireJob(jobId);
        List<StoredCheckpoint> doomed = new ArrayList<>();
        int leftAlone = 0;
        for (PipelineKey pipeline : storage.storage().pipelines(jobId)) {
            if (FileLayout.holdsSavepoints(pipeline)
                    || FileLayout.holdsIds(pipeline)
                    || FileLayout.holdsParts(pipeline)) {
                continue;
            }
            List<CheckpointId> ids = storage.storage().list(pipeline);
            if (ids.size() <= keep) {
                continue;
            }
            List<StoredCheckpoint> kept = ids.subList(ids.size() - keep, ids.size()).stream()
                    .map(id -> new StoredCheckpoint(pipeline, id))
                    .toList();
            if (!anyVerifies(storage, kept)) {
                err.println("not pruning job " + jobId + " pipeline " + pipeline.pipeline() + ": none of its newest "
                        + keep + " checkpoints "
                        + kept.stream().map(c -> c.id().toString()).toList()
                        + " verifies, and it may have to restart from an older one (see cairn checkpoints verify)");
                leftAlone++;
                continue;
            }
            ids.subList(0, ids.size() - keep).forEach(id -> doomed.add(new StoredCheckpoint(pipeline, id)));
        }
        int status = leftAlone == 0 ? 0 : Cairn.EXIT_FAILED;
        if (doomed.isEmpty()) {
            out.println("nothing to prune: no pipeline of job " + jobId + " has more than " + keep
                    + (keep == 1 ? " checkpoint" : " checkpoints")
                    + (leftAlone == 0 ? "" : " that can be pruned safely") + " in " + storage);
            return status;
        }
        if (!yes) {
            doomed.forEach(c -> out.println("would delete " + c));
            out.println("dry run; run again with --yes to delete (" + count(doomed.size(), "checkpoint") + " of job "
                    + jobId + " in " + storage + ")");
            return status;
        }
        for (StoredCheckpoint checkpoint : doomed) {
            storage.delete(checkpoint);
            out.println("deleted " + checkpoint);
        }
        out.println("pruned " + count(doomed.size(), "checkpoint") + " of job " + jobId + "; kept the newest " + keep
                + " of each pipeline and every savepoint");
        return status;
    }

    /** Newest first, stopping at the first that verifies: usually one load. */
    private static boolean anyVerifies(StorageSession storage, List<StoredCheckpoint> kept) {
        for (int i = kept.size() - 1; i >= 0; i--) {
            if (storage.verify(kept.get(i)).ok()) {
                return true;
            }
        }
        return false;
    }
}
