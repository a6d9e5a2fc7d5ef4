package dev.cairn.checkpoint.demo;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.cairn.checkpoint.api.Sink;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one integer per line, exactly once, with two-phase commit on files.
 *
 * <ul>
 *   <li>Records go to an in-progress file in the subtask's staging directory, {@code
 *       DIR/.cairn-staging/JOB/PIPELINE/SUBTASK/}.
 *   <li>At a barrier (pre-commit) the file is synced and renamed {@code pending-ID-aATTEMPT}; the
 *       snapshot lists every pending file not yet committed.
 *   <li>When checkpoint ID completes (commit), every pending file up to it is linked to {@code
 *       DIR/part-JOB-PIPELINE-SUBTASK-ID}: committed output is only ever the {@code part-*} files
 *       directly under DIR (never over an existing part: a second part of the same id gets {@code -rN}).
 *       A commit that already happened is skipped, so commits are idempotent.
 *   <li>On restore, the pending files of the restored checkpoint are committed, and every other
 *       file in staging (in progress, or pending for a checkpoint that was never committed) is
 *       deleted: the source replays those records.
 * </ul>
 *
 * <p>It is a plain, strict two-phase-commit sink, as a Kafka transactional or a JDBC XA sink is: it
 * never drops a replayed record. Its output is exactly once because the engine commits only
 * checkpoints that are in storage ({@code commit-after: storage}) and restores only from stored
 * ones, not because the sink compensates.
 */
final class ExactlyOnceFileSink implements Sink<Long> {
    private record Pending(String file, long checkpointId, long records) {}

    private final Path output;
    private final Path staging;
    private final String partPrefix;
    private final int attempt;
    private final List<Pending> pending = new ArrayList<>();

    private int sequence;
    private Path current;
    private FileChannel channel;
    private BufferedWriter writer;
    private long currentRecords;

    ExactlyOnceFileSink(Path output, String jobId, String pipeline, int subtask, int attempt) {
        this.output = output;
        this.staging = output.resolve(".cairn-staging")
                .resolve(jobId)
                .resolve(pipeline)
                .resolve(Integer.toString(subtask));
        this.partPrefix = "part-" + jobId + "-" + pipeline + "-" + subtask + "-";
        this.attempt = attempt;
    }

    @Override
    public void restore(byte[] state) throws IOException {
        Files.createDirectories(staging);
        if (state != null) {
            ByteBuffer b = ByteBuffer.wrap(state);
            int count = b.getInt();
            for (int i = 0; i < count; i++) {
                byte[] name = new byte[b.getInt()];
                b.get(name);
                pending.add(new Pending(new String(name, StandardCharsets.UTF_8), b.getLong(), b.getLong()));
            }
        }
        commitUpTo(Long.MAX_VALUE); // they belong to the restored checkpoint, which completed
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(staging)) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    @Override
    public void write(Long record) throws IOException {
        if (writer == null) {
            current = staging.resolve("inprogress-a" + attempt + "-" + sequence++);
            channel = FileChannel.open(current, CREATE_NEW, WRITE);
            writer = new BufferedWriter(
                    new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.US_ASCII), 1 << 16);
        }
        writer.write(Long.toString(record));
        writer.write('\n');
        currentRecords++;
    }

    @Override
    public byte[] snapshot(long checkpointId) throws IOException {
        if (writer != null) {
            writer.flush();
            channel.force(true);
            writer.close();
            String name = "pending-" + checkpointId + "-a" + attempt;
            Files.move(current, staging.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            pending.add(new Pending(name, checkpointId, currentRecords));
            writer = null;
            channel = null;
            currentRecords = 0;
        }
        int size = Integer.BYTES;
        for (Pending p : pending) {
            size += Integer.BYTES + p.file().length() + 2 * Long.BYTES;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(pending.size());
        for (Pending p : pending) {
            byte[] name = p.file().getBytes(StandardCharsets.UTF_8);
            b.putInt(name.length).put(name).putLong(p.checkpointId()).putLong(p.records());
        }
        return b.array();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws IOException {
        commitUpTo(checkpointId);
    }

    /** Commits every pending file of a checkpoint up to {@code checkpointId}, idempotently. */
    private void commitUpTo(long checkpointId) throws IOException {
        boolean moved = false;
        for (var it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.checkpointId() > checkpointId) {
                continue;
            }
            Path source = staging.resolve(p.file());
            if (Files.exists(source)) {
                commit(source, p.checkpointId());
                moved = true;
            } else if (!committedAny(p.checkpointId())) {
                throw new IOException("pending file " + p.file() + " of checkpoint " + p.checkpointId()
                        + " is gone and was never committed");
            }
            it.remove();
        }
        if (moved) {
            try (FileChannel dir = FileChannel.open(output, READ)) {
                dir.force(true);
            }
        }
    }

    /**
     * Commits a pending file under a part name no other file has: never over a committed part. The
     * engine never issues an id twice ({@code IdLease}), but a sink that replaced a part of the
     * same id would lose records silently if that ever broke (a lease deleted by hand, a job
     * restored from a copy without it); this costs nothing. A hard link then the removal of the
     * pending name: a crash between the two leaves a pending file with two links, which a later
     * commit recognises as committed.
     */
    private void commit(Path source, long checkpointId) throws IOException {
        if (((Number) Files.getAttribute(source, "unix:nlink")).intValue() > 1) {
            Files.delete(source); // committed before a crash; the part holds it
            return;
        }
        for (int n = 0; ; n++) {
            Path part = output.resolve(partPrefix + checkpointId + (n == 0 ? "" : "-r" + n));
            try {
                Files.createLink(part, source);
                Files.delete(source);
                return;
            } catch (FileAlreadyExistsException taken) {
                // a part of the same id from before a full restart: keep it, take the next name
            }
        }
    }

    private boolean committedAny(long checkpointId) throws IOException {
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(output, partPrefix + checkpointId + "*")) {
            for (Path part : parts) {
                String rest = part.getFileName().toString().substring((partPrefix + checkpointId).length());
                if (rest.isEmpty() || rest.startsWith("-r")) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        if (writer != null) {
            writer.close();
        }
        if (current != null) {
            Files.deleteIfExists(current); // uncommitted: the source replays it
        }
        if (pending.isEmpty()) {
            deleteIfEmpty(staging);
            deleteIfEmpty(staging.getParent());
            deleteIfEmpty(staging.getParent().getParent());
            deleteIfEmpty(staging.getParent().getParent().getParent());
        }
    }

    private static void deleteIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // not empty: another subtask, attempt or job still uses it
        }
    }
}
