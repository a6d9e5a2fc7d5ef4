package dev.cairn.cli;

import dev.cairn.checkpoint.api.config.EngineConfig;
import dev.cairn.checkpoint.config.ConfigException;
import dev.cairn.checkpoint.config.ConfigLoader;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.JobId;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cairn checkpoints copy --to-config FILE [--job ID]}: copies the checkpoints (and
 * savepoints) of the storage of {@code --config} to the storage of {@code --to-config}, under the
 * same job, pipeline and id, byte for byte, so that a job can restore from the target. For each
 * checkpoint, in ascending ids: it is loaded and verified (a bad one is reported and not copied),
 * skipped if the target already holds identical bytes under that id (so an interrupted copy,
 * run again, goes on where it stopped), else stored and read back from the target and compared.
 * Progress goes to stderr ({@link CopyProgress}), the summary to stdout.
 *
 * <p>Exit status: 0 all copied or already present; 1 if any checkpoint was bad (and not copied),
 * the job is not stored, a storage fails (run the same command again to resume), or a copy reads
 * back different bytes; 2 for a usage or configuration problem in either file.
 */
@Command(
        name = "copy",
        mixinStandardHelpOptions = true,
        description = {
            "Copies checkpoints to the storage of another seatunnel.yaml (--to-config).",
            "Same job, pipeline and id, bytes compared after the store; bad checkpoints are reported and not"
                    + " copied. Resumable: what the target already holds, byte for byte, is skipped.",
            "Exit status: 0 all copied or present, 1 any bad or a failure (run again to resume), 2 usage."
        })
final class CheckpointsCopy extends StorageCommand {
    @Option(
            names = "--to-config",
            required = true,
            paramLabel = "FILE",
            description = "seatunnel.yaml naming the target storage.")
    Path toConfig;

    @Option(names = "--job", paramLabel = "ID", description = "Only this job's checkpoints.")
    String job;

    private EngineConfig target;

    /** Counts, for the summary. */
    private static final class Tally {
        int copied;
        long copiedBytes;
        int present;
        int bad;
        int replaced;

        @Override
        public String toString() {
            return "copied " + copied + " (" + copiedBytes + " bytes"
                    + (replaced == 0 ? "" : ", " + replaced + " of them over different bytes") + "), " + present
                    + " already present (skipped), "
                    + bad + " bad (not copied)";
        }
    }

    @Override
    void checkArguments() {
        if (job != null) {
            StoredCheckpoint.jobArgument(job);
        }
        try {
            target = new ConfigLoader(CairnHome::env, CliPlugins.loader()).load(toConfig);
        } catch (ConfigException e) {
            throw usage(e.problems().stream()
                    .map(p -> "--to-config: " + p)
                    .collect(Collectors.joining(System.lineSeparator())));
        }
    }

    @Override
    int run(StorageSession source, PrintWriter out, PrintWriter err) throws CheckpointStorageException {
        Optional<JobId> jobId = Optional.ofNullable(job).map(StoredCheckpoint::jobArgument);
        if (jobId.isPresent()) {
            source.requireJob(jobId.get());
        }
        List<StoredCheckpoint> all = source.checkpoints(jobId);
        try (StorageSession to = StorageSession.open(target.checkpoint().storage())) {
            String route = "from " + source + " to " + to;
            // The id leases first: a copy interrupted later must not leave checkpoints without one.
            for (StoredCheckpoint lease : source.idLeases(jobId)) {
                try {
                    copyLease(lease, source, to);
                } catch (CheckpointStorageException e) {
                    throw new CliException(
                            Cairn.EXIT_FAILED,
                            "cannot copy the checkpoint id lease of " + lease.location() + ": " + e.getMessage()
                                    + System.lineSeparator() + "nothing else was copied; run the same command again");
                }
            }
            if (all.isEmpty()) {
                out.println("nothing to copy " + route);
                return 0;
            }
            err.println("copying " + count(all.size(), "checkpoint") + " " + route);
            CopyProgress progress = new CopyProgress(err, all.size(), System.console() != null, System::nanoTime);
            Tally tally = new Tally();
            for (StoredCheckpoint checkpoint : all) {
                try {
                    copy(checkpoint, source, to, progress, tally);
                } catch (CheckpointStorageException | CliException e) {
                    progress.finish();
                    out.println("stopped at " + checkpoint + ": " + tally);
                    throw new CliException(
                            Cairn.EXIT_FAILED,
                            e instanceof CliException
                                    ? e.getMessage()
                                    : "copy stopped at " + checkpoint + ": " + e.getMessage()
                                            + System.lineSeparator()
                                            + "run the same command again to resume: what is already copied is"
                                            + " skipped");
                }
            }
            progress.finish();
            out.println(tally + "; " + route);
            return tally.bad == 0 ? 0 : Cairn.EXIT_FAILED;
        }
    }

    /**
     * Takes a pipeline's checkpoint id lease along (see {@link StorageSession#idLeases}), unless
     * the target already holds one as high.
     */
    private static void copyLease(StoredCheckpoint lease, StorageSession from, StorageSession to)
            throws CheckpointStorageException {
        List<CheckpointId> held = to.storage().list(lease.location());
        if (!held.isEmpty() && held.get(held.size() - 1).value() >= lease.id().value()) {
            return;
        }
        Optional<byte[]> note = from.load(lease);
        if (note.isPresent()) {
            to.storage().store(lease.location(), lease.id(), new ByteArrayInputStream(note.get()));
        }
    }

    private static void copy(
            StoredCheckpoint checkpoint, StorageSession from, StorageSession to, CopyProgress progress, Tally tally)
            throws CheckpointStorageException {
        Optional<byte[]> loaded = from.load(checkpoint);
        if (loaded.isEmpty()) {
            progress.notedStep("gone from the source meanwhile, not copied: " + checkpoint, 0);
            return;
        }
        byte[] blob = loaded.get();
        Verdict verdict = Verdict.of(checkpoint, blob, from.storage());
        if (!verdict.ok()) {
            tally.bad++;
            progress.notedStep("bad, not copied: " + checkpoint + ": " + verdict.why(), blob.length);
            return;
        }
        // A manifest's parts first, each like a checkpoint: an interrupted copy never leaves a
        // manifest in the target that names a part not there yet.
        for (StoredCheckpoint part : Verdict.parts(checkpoint, verdict.checkpoint())) {
            byte[] bytes = from.load(part)
                    .orElseThrow(() -> new CheckpointStorageException(
                            "part " + part + " of " + checkpoint + " is gone from the source meanwhile"));
            if (to.load(part).map(held -> Arrays.equals(held, bytes)).orElse(false)) {
                continue;
            }
            to.storage().store(part.location(), part.id(), new ByteArrayInputStream(bytes));
            if (!to.load(part).map(back -> Arrays.equals(back, bytes)).orElse(false)) {
                throw new CliException(
                        Cairn.EXIT_FAILED,
                        "copy of " + part + " to " + to + " does not read back; stopped, the target storage is not"
                                + " to be trusted");
            }
            tally.copiedBytes += bytes.length;
        }
        Optional<byte[]> existing = to.load(checkpoint);
        if (existing.isPresent() && Arrays.equals(existing.get(), blob)) {
            tally.present++;
            progress.step("already present: " + checkpoint, blob.length);
            return;
        }
        if (existing.isPresent()) {
            tally.replaced++;
            progress.note("the target holds different bytes (" + existing.get().length + ") under " + checkpoint
                    + ": replacing them with the source's (" + blob.length + ")");
        }
        to.storage().store(checkpoint.location(), checkpoint.id(), new ByteArrayInputStream(blob));
        Optional<byte[]> back = to.load(checkpoint);
        if (back.isEmpty() || !Arrays.equals(back.get(), blob)) {
            throw new CliException(
                    Cairn.EXIT_FAILED,
                    "copy of " + checkpoint + " to " + to + " does not read back: stored " + blob.length
                            + " bytes, read back "
                            + back.map(b -> b.length + " different bytes").orElse("nothing")
                            + "; stopped, the target storage is not to be trusted");
        }
        tally.copied++;
        tally.copiedBytes += blob.length;
        progress.step("copied " + checkpoint + " (" + blob.length + " bytes)", blob.length);
    }
}
