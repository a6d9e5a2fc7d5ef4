package dev.cairn.cli;

import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cairn checkpoints verify [--job ID]}: reads every stored checkpoint (or a job's) and
 * checks its header, length and CRC32C, that it decodes, and that it is the checkpoint of the job,
 * pipeline and id it is stored under, of the type kept there (savepoints in {@code P.savepoints},
 * checkpoints in {@code P}). Prints one line per bad checkpoint (job, pipeline, id, why)
 * and a summary {@code N checked, M bad}.
 *
 * <p>Exit status: 0 if every checkpoint is good (or there are none); 1 if any is bad or the
 * storage cannot be listed; 2 for a usage or configuration problem.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Checks every stored checkpoint; one line per bad one, then 'N checked, M bad'.",
            "Checks the header, length, CRC32C and decoding, and that each is the checkpoint stored under its"
                    + " job, pipeline and id.",
            "Exit status: 0 all good, 1 any bad or a failure, 2 usage."
        })
final class CheckpointsVerify extends StorageCommand {
    @Option(names = "--job", paramLabel = "ID", description = "Only this job's checkpoints.")
    String job;

    @Override
    void checkArguments() {
        if (job != null) {
            StoredCheckpoint.jobArgument(job);
        }
    }

    @Override
    int run(StorageSession storage, PrintWriter out, PrintWriter err) throws CheckpointStorageException {
        int checked = 0;
        int bad = 0;
        for (StoredCheckpoint checkpoint :
                storage.checkpoints(Optional.ofNullable(job).map(StoredCheckpoint::jobArgument))) {
            Verdict verdict = storage.verify(checkpoint);
            checked++;
            if (!verdict.ok()) {
                bad++;
                out.println("BAD " + checkpoint + ": " + verdict.why());
            }
        }
        out.println(
                checked + " checked, " + bad + " bad" + (job == null ? "" : " (job " + job + ")") + " in " + storage);
        return bad == 0 ? 0 : Cairn.EXIT_FAILED;
    }
}
