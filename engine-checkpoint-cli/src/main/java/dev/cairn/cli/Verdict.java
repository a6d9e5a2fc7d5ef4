package dev.cairn.cli;

import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;

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
