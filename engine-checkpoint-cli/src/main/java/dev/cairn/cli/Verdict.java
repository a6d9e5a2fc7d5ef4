package dev.cairn.cli;

import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.PartCodec;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import java.util.List;
import java.util.Optional;

/**
 * What checking one stored blob found: its header and decoded checkpoint as far as they could be
 * read, and, if it is unusable, why. A blob is usable when its header, length and CRC32C check out,
 * it decodes, and it is the checkpoint of the job, pipeline and id it is stored under, of the type
 * kept there ({@link StoredCheckpoint#misplacement}).
 *
 * @param size bytes of the blob
 * @param header the header if it reads, else {@code null}
 * @param checkpoint the decoded checkpoint if it decodes, else {@code null}
 * @param reason {@code null} if usable, else the {@link SnapshotFormatException.Reason} name (or
 *     {@value #UNREADABLE} when the storage could not load it)
 * @param problem {@code null} if usable, else what is wrong, in words
 */
record Verdict(long size, SnapshotCodec.Header header, CompletedCheckpoint checkpoint, String reason, String problem) {

    /** The reason of a checkpoint the storage lists but fails to load. */
    static final String UNREADABLE = "UNREADABLE";

    static Verdict of(StoredCheckpoint where, byte[] blob) {
        SnapshotCodec.Header header;
        try {
            header = SnapshotCodec.readHeader(blob);
        } catch (SnapshotFormatException e) {
            return new Verdict(blob.length, null, null, e.reason().name(), e.getMessage());
        }
        CompletedCheckpoint checkpoint;
        try {
            checkpoint = SnapshotCodec.decode(blob);
        } catch (SnapshotFormatException e) {
            return new Verdict(blob.length, header, null, e.reason().name(), e.getMessage());
        } catch (RuntimeException e) { // a decoder bug on a crafted blob: one bad checkpoint, not a crash
            return new Verdict(
                    blob.length,
                    header,
                    null,
                    SnapshotFormatException.Reason.MALFORMED_PAYLOAD.name(),
                    "payload does not decode: " + e);
        }
        return where.misplacement(checkpoint)
                .map(why -> new Verdict(
                        blob.length, header, checkpoint, SnapshotFormatException.Reason.MISPLACED.name(), why))
                .orElseGet(() -> new Verdict(blob.length, header, checkpoint, null, null));
    }

    /**
     * As {@link #of}, and for a manifest also each part it names, loaded from {@code storage} and
     * checked against its handle: a part missing or corrupt makes the checkpoint unusable.
     */
    static Verdict of(StoredCheckpoint where, byte[] blob, CheckpointStorage storage)
            throws CheckpointStorageException {
        Verdict verdict = of(where, blob);
        if (!verdict.ok() || verdict.checkpoint().allInline()) {
            return verdict;
        }
        CompletedCheckpoint manifest = verdict.checkpoint();
        List<TaskState> states = manifest.taskStates();
        for (int i = 0; i < states.size(); i++) {
            TaskState state = states.get(i);
            if (state.inline()) {
                continue;
            }
            CheckpointId partId = FileLayout.partId(manifest.id(), i);
            Optional<byte[]> part = storage.load(FileLayout.partsOf(where.location()), partId);
            if (part.isEmpty()) {
                return new Verdict(
                        verdict.size,
                        verdict.header,
                        manifest,
                        SnapshotFormatException.Reason.MISSING_PART.name(),
                        "names part " + partId + " (" + state.taskId() + "), which is not stored");
            }
            try {
                PartCodec.read(part.get(), manifest.pipeline(), manifest.id().value(), state.taskId(), state.handle());
            } catch (SnapshotFormatException e) {
                return new Verdict(
                        verdict.size, verdict.header, manifest, e.reason().name(), e.getMessage());
            }
        }
        return verdict;
    }

    /** The parts a manifest names, as stored ({@link FileLayout#partsOf}); none for format 1. */
    static List<StoredCheckpoint> parts(StoredCheckpoint where, CompletedCheckpoint checkpoint) {
        List<StoredCheckpoint> parts = new java.util.ArrayList<>();
        List<TaskState> states = checkpoint.taskStates();
        for (int i = 0; i < states.size(); i++) {
            if (!states.get(i).inline()) {
                parts.add(new StoredCheckpoint(
                        FileLayout.partsOf(where.location()), FileLayout.partId(checkpoint.id(), i)));
            }
        }
        return parts;
    }

    static Verdict unreadable(String message) {
        return new Verdict(-1, null, null, UNREADABLE, message);
    }

    boolean ok() {
        return reason == null;
    }

    /** {@code ok}, or the reason. */
    String status() {
        return ok() ? "ok" : reason;
    }

    /** {@code REASON: problem}, for a line about an unusable checkpoint. */
    String why() {
        return reason + ": " + problem;
    }
}
