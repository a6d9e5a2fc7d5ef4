package dev.cairn.cli;

import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.JobId;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn checkpoints show JOB PIPELINE ID}: one checkpoint in detail: its header (format
 * version, flags, payload length, CRC32C), type, trigger and completion times and duration, the
 * state size of every task, and its metadata. {@code PIPELINE} may be {@code P.savepoints}; a
 * savepoint of {@code P} is also found under plain {@code P}. For an unusable blob it prints the
 * header fields as far as they could be read, and why it is unusable.
 *
 * <p>Exit status: 0 shown; 1 if it is not stored, unusable, or the storage fails; 2 for a usage or
 * configuration problem.
 */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = {
            "Shows one checkpoint: header, type, times, per-task state sizes and metadata.",
            "Exit status: 0 shown, 1 not stored, unusable or a failure, 2 usage."
        })
final class CheckpointsShow extends StorageCommand {
    private static final String FORMAT = "%-16s %s%n";

    @Parameters(index = "0", paramLabel = "JOB", description = "The job id.")
    String job;

    @Parameters(index = "1", paramLabel = "PIPELINE", description = "The pipeline (P, or P.savepoints).")
    String pipeline;

    @Parameters(index = "2", paramLabel = "ID", description = "The checkpoint id.")
    long id;

    @Override
    void checkArguments() {
        where();
    }

    private StoredCheckpoint where() {
        JobId jobId = StoredCheckpoint.jobArgument(job);
        return new StoredCheckpoint(
                StoredCheckpoint.pipelineArgument(jobId, pipeline), StoredCheckpoint.idArgument(id));
    }

    @Override
    int run(StorageSession storage, PrintWriter out, PrintWriter err) throws CheckpointStorageException {
        StoredCheckpoint where = where();
        Optional<byte[]> blob = storage.load(where);
        if (blob.isEmpty()) {
            Optional<StoredCheckpoint> savepoint = where.savepointTwin();
            if (savepoint.isPresent()) {
                blob = storage.load(savepoint.get());
                where = blob.isPresent() ? savepoint.get() : where;
            }
        }
        if (blob.isEmpty()) {
            throw new CliException(
                    Cairn.EXIT_FAILED,
                    "no checkpoint " + id + " of job " + job + " pipeline " + pipeline
                            + (where.savepoint() ? "" : " (nor a savepoint " + id + ")") + " in " + storage);
        }
        Verdict verdict = Verdict.of(where, blob.get(), storage.storage());
        out.println(where + " in " + storage);
        out.printf(FORMAT, "size:", verdict.size() + " bytes");
        printHeader(blob.get(), verdict, out);
        if (verdict.checkpoint() != null) {
            printCheckpoint(where, verdict.checkpoint(), out);
        }
        if (!verdict.ok()) {
            out.printf(FORMAT, "unusable:", verdict.why());
            return Cairn.EXIT_FAILED;
        }
        return 0;
    }

    private static void printHeader(byte[] blob, Verdict verdict, PrintWriter out) {
        SnapshotCodec.Header header = verdict.header();
        if (header != null) {
            out.printf(FORMAT, "format version:", header.version());
            out.printf(FORMAT, "flags:", String.format("0x%04x", header.flags()));
            out.printf(FORMAT, "payload length:", header.payloadLength() + " bytes");
            out.printf(FORMAT, "CRC32C:", String.format("%08x", header.crc32c()));
        } else if (blob.length >= SnapshotCodec.HEADER_SIZE) {
            // The header does not check out: show its fields as they are, so the damage can be seen.
            ByteBuffer buffer = ByteBuffer.wrap(blob);
            StringBuilder magic = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                int b = Byte.toUnsignedInt(buffer.get());
                magic.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b));
            }
            out.printf(FORMAT, "magic (as read):", "\"" + magic + "\"");
            out.printf(FORMAT, "format version:", Short.toUnsignedInt(buffer.getShort()) + " (as read)");
            out.printf(FORMAT, "flags:", String.format("0x%04x (as read)", Short.toUnsignedInt(buffer.getShort())));
            out.printf(FORMAT, "payload length:", Integer.toUnsignedLong(buffer.getInt()) + " bytes (as read)");
            out.printf(FORMAT, "CRC32C:", String.format("%08x (as read)", buffer.getInt()));
        } else {
            out.printf(
                    FORMAT,
                    "header:",
                    "none: the blob is shorter than the " + SnapshotCodec.HEADER_SIZE + "-byte header");
        }
    }

    private static void printCheckpoint(StoredCheckpoint where, CompletedCheckpoint checkpoint, PrintWriter out) {
        String type = where.type().name();
        if (checkpoint.type() != where.type()) {
            type += " (by where it is stored; the blob says " + checkpoint.type() + ")";
        }
        out.printf(FORMAT, "type:", type);
        out.printf(FORMAT, "triggered:", Instant.ofEpochMilli(checkpoint.triggeredAt()));
        out.printf(FORMAT, "completed:", Instant.ofEpochMilli(checkpoint.completedAt()));
        out.printf(FORMAT, "duration:", duration(checkpoint.completedAt() - checkpoint.triggeredAt()));
        out.printf(
                FORMAT,
                "tasks:",
                checkpoint.taskStates().size() + ", " + checkpoint.stateSize() + " bytes of state in all");
        int width = checkpoint.taskStates().stream()
                .mapToInt(s -> s.taskId().length())
                .max()
                .orElse(0);
        for (TaskState state : checkpoint.taskStates()) {
            if (state.inline()) {
                out.printf("  %-" + width + "s  %d bytes%n", state.taskId(), state.state().length);
            } else {
                out.printf("  %-" + width + "s  %s%n", state.taskId(), state.handle());
            }
        }
        if (checkpoint.metadata().isEmpty()) {
            out.printf(FORMAT, "metadata:", "none");
        } else {
            out.println("metadata:");
        }
        for (Map.Entry<String, String> entry : checkpoint.metadata().entrySet()) {
            out.println("  " + entry.getKey() + "=" + entry.getValue());
        }
    }

    private static String duration(long millis) {
        return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.3f s", millis / 1000.0);
    }
}
