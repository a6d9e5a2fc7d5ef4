package dev.cairn.checkpoint.recovery;

import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.PipelineRecord;
import dev.cairn.checkpoint.store.PipelineSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the checkpoint a pipeline restarts from: the latest completed one in the cluster's
 * snapshot map if the map has it (task failure, member loss, master failover), else the newest
 * valid one in storage, found by listing (full cluster restart). A checkpoint in storage that
 * fails its header, length, checksum or decoding is skipped with a log line saying which and why,
 * and the next older one is tried.
 */
public final class RecoveryPlanner {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryPlanner.class);

    private RecoveryPlanner() {}

    /**
     * Where a pipeline restarts from.
     *
     * @param checkpoint empty for a fresh start
     * @param source {@code "memory"}, {@code "storage"} or {@code "none"}
     * @param skipped one sentence per checkpoint that was unusable
     * @param highestStoredId the highest id in storage, usable or not, -1 if none
     */
    public record Recovery(
            Optional<CompletedCheckpoint> checkpoint, String source, List<String> skipped, long highestStoredId) {}

    /** A checkpoint exists but belongs to another job definition: resuming would mix two jobs. */
    public static final class IncompatibleCheckpointException extends Exception {
        private static final long serialVersionUID = 1L;

        IncompatibleCheckpointException(String message) {
            super(message);
        }
    }

    public static Recovery plan(PipelineSnapshots memory, CheckpointStorage storage, String fingerprint)
            throws CheckpointStorageException, IncompatibleCheckpointException {
        PipelineKey pipeline = memory.pipeline();
        List<String> skipped = new ArrayList<>();
        PipelineRecord record = memory.record();
        if (record.lastCompletedId() >= 0) {
            Optional<byte[]> blob = memory.blob(record.lastCompletedId());
            if (blob.isPresent()) {
                try {
                    CompletedCheckpoint checkpoint = checked(SnapshotCodec.decode(blob.get()), fingerprint);
                    return new Recovery(Optional.of(checkpoint), "memory", skipped, -1);
                } catch (SnapshotFormatException e) {
                    String why = "checkpoint " + record.lastCompletedId() + " of " + pipeline
                            + " in the snapshot map is unusable (" + e.reason() + "): " + e.getMessage();
                    LOG.warn("Skipping {}", why);
                    skipped.add(why);
                }
            }
        }
        List<CheckpointId> stored = storage.list(pipeline);
        long highest = stored.isEmpty() ? -1 : stored.get(stored.size() - 1).value();
        for (int i = stored.size() - 1; i >= 0; i--) {
            CheckpointId id = stored.get(i);
            Optional<byte[]> blob = storage.load(pipeline, id);
            if (blob.isEmpty()) {
                continue; // deleted meanwhile
            }
            try {
                CompletedCheckpoint checkpoint = checked(SnapshotCodec.decode(blob.get()), fingerprint);
                if (!checkpoint.pipeline().equals(pipeline) || !checkpoint.id().equals(id)) {
                    throw SnapshotFormatException.misplaced(
                            "it holds checkpoint " + checkpoint.id() + " of " + checkpoint.pipeline());
                }
                if (!skipped.isEmpty()) {
                    LOG.warn(
                            "Recovering {} from checkpoint {}, older than the newest stored, because: {}",
                            pipeline,
                            id,
                            String.join("; ", skipped));
                }
                return new Recovery(Optional.of(checkpoint), "storage", skipped, highest);
            } catch (SnapshotFormatException e) {
                String why = "checkpoint " + id + " of " + pipeline + " in storage is unusable (" + e.reason() + "): "
                        + e.getMessage();
                LOG.warn("Skipping {}", why);
                skipped.add(why);
            }
        }
        return new Recovery(Optional.empty(), "none", skipped, highest);
    }

    private static CompletedCheckpoint checked(CompletedCheckpoint checkpoint, String fingerprint)
            throws IncompatibleCheckpointException {
        String taken = checkpoint.metadata().get(CompletedCheckpoint.META_JOB_SPEC);
        if (taken != null && !taken.equals(fingerprint)) {
            throw new IncompatibleCheckpointException("checkpoint " + checkpoint.id() + " of " + checkpoint.pipeline()
                    + " was taken by the job defined as [" + taken + "], not as [" + fingerprint
                    + "]: resume it with the same definition, or use a new job id");
        }
        return checkpoint;
    }
}
