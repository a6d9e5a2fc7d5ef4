package dev.cairn.checkpoint.recovery;

import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.api.RestoreRequest;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.PipelineRecord;
import dev.cairn.checkpoint.store.PipelineSnapshots;
import dev.cairn.checkpoint.store.StateParts;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the checkpoint a pipeline restarts from.
 *
 * <ul>
 *   <li>A restart under the same master (a task failed, a member left): the latest completed
 *       checkpoint in the cluster's snapshot map, if the map has it.
 *   <li>A new master (a takeover, a resubmission, a full cluster restart): the newer of that and
 *       the newest valid checkpoint or savepoint in storage, found by listing. After a network
 *       partition the storage may hold a newer one than the map of this side knows of, completed
 *       and stored by the master this one replaces before it noticed; its sinks may have committed
 *       it, so it is where the pipeline must go on from.
 * </ul>
 *
 * A checkpoint that fails its header, length, checksum or decoding, or a manifest one of whose
 * parts is missing or corrupt, is skipped with a log line saying which and why, and the next older
 * one is tried; the result lists what was skipped. The checkpoint returned holds every state
 * inline (its parts read, from the map's chunks, else from storage, and verified here), or, planned
 * {@code LeavingParts}, keeps its handles for those who run its tasks to read.
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
     * @param highestStoredId the highest id in storage, usable or not, -1 if none (or not looked at)
     * @param unusableNewer ids of unusable checkpoints newer than the one restored, ascending:
     *     their sinks may have committed transactions that the restore replays
     */
    public record Recovery(
            Optional<CompletedCheckpoint> checkpoint,
            String source,
            List<String> skipped,
            long highestStoredId,
            List<Long> unusableNewer) {

        /** Whether a newer checkpoint than the one restored had to be skipped. */
        public boolean fellBack() {
            return !unusableNewer.isEmpty();
        }
    }

    /** A checkpoint exists but belongs to another job definition: resuming would mix two jobs. */
    public static final class IncompatibleCheckpointException extends Exception {
        private static final long serialVersionUID = 1L;

        IncompatibleCheckpointException(String message) {
            super(message);
        }
    }

    /**
     * Where a pipeline restarts from, with every state inline: each part is read (from the map's
     * chunks, else from storage) and verified here.
     *
     * @param newMaster whether a new master plans (a takeover, a resubmission): then the storage is
     *     consulted even if the map has a checkpoint
     */
    public static Recovery plan(
            PipelineSnapshots memory, CheckpointStorage storage, String fingerprint, boolean newMaster)
            throws CheckpointStorageException, IncompatibleCheckpointException {
        return plan(memory, storage, fingerprint, newMaster, Map.of(), true);
    }

    /**
     * Where a pipeline restarts from, leaving its parts where they are: a manifest keeps its
     * handles, and whoever runs each task reads and verifies its part ({@link StateParts#state}).
     * Here a stored manifest is checked only for naming parts that are stored. If a reader finds a
     * part missing or corrupt, plan again with that checkpoint in {@code excluded}: it is then
     * skipped like any unusable checkpoint.
     *
     * @param newMaster whether a new master plans (a takeover, a resubmission): then the storage is
     *     consulted even if the map has a checkpoint
     * @param excluded checkpoints a reader found unusable, by id: why, as {@code (REASON): detail}
     */
    public static Recovery planLeavingParts(
            PipelineSnapshots memory,
            CheckpointStorage storage,
            String fingerprint,
            boolean newMaster,
            Map<Long, String> excluded)
            throws CheckpointStorageException, IncompatibleCheckpointException {
        return plan(memory, storage, fingerprint, newMaster, excluded, false);
    }

    private static Recovery plan(
            PipelineSnapshots memory,
            CheckpointStorage storage,
            String fingerprint,
            boolean newMaster,
            Map<Long, String> excluded,
            boolean resolve)
            throws CheckpointStorageException, IncompatibleCheckpointException {
        PipelineKey pipeline = memory.pipeline();
        List<String> skipped = new ArrayList<>();
        List<Long> unusable = new ArrayList<>();
        PipelineRecord record = memory.record();
        CompletedCheckpoint inMemory = null;
        long latest = record.lastCompletedId();
        if (latest >= 0 && excluded.containsKey(latest)) {
            String why = "checkpoint " + latest + " of " + pipeline + " in the snapshot map is unusable "
                    + excluded.get(latest);
            LOG.warn("Skipping {}", why);
            skipped.add(why);
            unusable.add(latest);
        } else if (latest >= 0) {
            Optional<byte[]> blob = memory.blob(latest);
            if (blob.isPresent()) {
                try {
                    CompletedCheckpoint decoded = checked(SnapshotCodec.decode(blob.get()), fingerprint);
                    // Parts from the map's chunks, or from storage if the map lost some and it was stored.
                    inMemory = resolve ? memory.resolve(decoded, storage, where(decoded)) : decoded;
                } catch (SnapshotFormatException e) {
                    String why = "checkpoint " + latest + " of " + pipeline + " in the snapshot map is unusable ("
                            + e.reason() + "): " + e.getMessage();
                    LOG.warn("Skipping {}", why);
                    skipped.add(why);
                    unusable.add(latest);
                }
            } else if (latest > record.storedUpTo()) {
                // Completed, never stored, and gone from the map (given up, or every replica lost).
                String why = "checkpoint " + latest + " of " + pipeline
                        + " is not in the snapshot map any more and was never stored";
                LOG.warn("Skipping {}", why);
                skipped.add(why);
                unusable.add(latest);
            }
        }
        if (inMemory != null && !newMaster) {
            return new Recovery(Optional.of(inMemory), "memory", skipped, -1, List.of());
        }
        // Checkpoints and savepoints together, newest first: either may be the latest state.
        TreeMap<Long, PipelineKey> stored = new TreeMap<>();
        PipelineKey savepoints = FileLayout.savepointsOf(pipeline);
        storage.list(savepoints).forEach(id -> stored.put(id.value(), savepoints));
        storage.list(pipeline).forEach(id -> stored.put(id.value(), pipeline));
        long highest = stored.isEmpty() ? -1 : stored.lastKey();
        long floor = inMemory == null ? -1 : inMemory.id().value();
        for (Map.Entry<Long, PipelineKey> entry : stored.descendingMap().entrySet()) {
            if (entry.getKey() <= floor) {
                break; // the map's is as new: no need to read older ones
            }
            CheckpointId id = CheckpointId.of(entry.getKey());
            if (excluded.containsKey(id.value())) {
                if (!unusable.contains(id.value())) { // said once, where the map's copy was skipped
                    String why = "checkpoint " + id + " of " + pipeline + " in storage is unusable "
                            + excluded.get(id.value());
                    LOG.warn("Skipping {}", why);
                    skipped.add(why);
                    unusable.add(id.value());
                }
                continue;
            }
            try {
                Optional<CompletedCheckpoint> checkpoint =
                        load(storage, entry.getValue(), pipeline, id, fingerprint, resolve);
                if (checkpoint.isEmpty()) {
                    continue; // deleted meanwhile
                }
                return new Recovery(checkpoint, "storage", skipped, highest, newer(unusable, id.value()));
            } catch (SnapshotFormatException e) {
                String why = "checkpoint " + id + " of " + pipeline + " in storage is unusable (" + e.reason() + "): "
                        + e.getMessage();
                LOG.warn("Skipping {}", why);
                skipped.add(why);
                unusable.add(id.value());
            }
        }
        if (inMemory != null) {
            return new Recovery(Optional.of(inMemory), "memory", skipped, highest, newer(unusable, floor));
        }
        return new Recovery(Optional.empty(), "none", skipped, highest, newer(unusable, -1));
    }

    private static List<Long> newer(List<Long> ids, long than) {
        return ids.stream().filter(id -> id > than).sorted().distinct().toList();
    }

    /**
     * Exactly the checkpoint or savepoint a user asked for, from the snapshot map or storage.
     *
     * @throws IncompatibleCheckpointException if it is missing, unusable, of the other type, or of
     *     another job definition: the message says which and lists what there is
     */
    public static Recovery exact(
            PipelineSnapshots memory, CheckpointStorage storage, String fingerprint, RestoreRequest request)
            throws CheckpointStorageException, IncompatibleCheckpointException {
        return exact(memory, storage, fingerprint, request, true);
    }

    /**
     * {@link #exact(PipelineSnapshots, CheckpointStorage, String, RestoreRequest)}, leaving its
     * parts where they are (see {@link #planLeavingParts}): a stored one is checked only for naming
     * parts that are stored.
     */
    public static Recovery exactLeavingParts(
            PipelineSnapshots memory, CheckpointStorage storage, String fingerprint, RestoreRequest request)
            throws CheckpointStorageException, IncompatibleCheckpointException {
        return exact(memory, storage, fingerprint, request, false);
    }

    private static Recovery exact(
            PipelineSnapshots memory,
            CheckpointStorage storage,
            String fingerprint,
            RestoreRequest request,
            boolean resolve)
            throws CheckpointStorageException, IncompatibleCheckpointException {
        PipelineKey pipeline = memory.pipeline();
        boolean savepoint = request.type() == CheckpointType.SAVEPOINT;
        PipelineKey where = savepoint ? FileLayout.savepointsOf(pipeline) : pipeline;
        CheckpointId id = CheckpointId.of(request.id());
        try {
            Optional<CompletedCheckpoint> found = load(storage, where, pipeline, id, fingerprint, resolve);
            if (found.isEmpty() && memory.blob(request.id()).isPresent()) {
                CompletedCheckpoint decoded =
                        checked(SnapshotCodec.decode(memory.blob(request.id()).get()), fingerprint);
                found = Optional.of(resolve ? memory.resolve(decoded, storage, where) : decoded);
            }
            if (found.isEmpty()) {
                throw new IncompatibleCheckpointException(request + " of " + pipeline + " does not exist; stored "
                        + (savepoint ? "savepoints" : "checkpoints") + ": " + storage.list(where));
            }
            if (found.get().type() != request.type()) {
                throw new IncompatibleCheckpointException(request + " of " + pipeline + " is a "
                        + found.get().type().name().toLowerCase(Locale.ROOT));
            }
            long highest = Math.max(max(storage.list(pipeline)), max(storage.list(FileLayout.savepointsOf(pipeline))));
            return new Recovery(found, "storage", List.of(), highest, List.of());
        } catch (SnapshotFormatException e) {
            throw new IncompatibleCheckpointException(
                    request + " of " + pipeline + " is unusable (" + e.reason() + "): " + e.getMessage());
        }
    }

    private static long max(List<CheckpointId> ids) {
        return ids.isEmpty() ? -1 : ids.get(ids.size() - 1).value();
    }

    /** Where a checkpoint and its parts are stored: a savepoint apart. */
    private static PipelineKey where(CompletedCheckpoint checkpoint) {
        return checkpoint.type() == CheckpointType.SAVEPOINT
                ? FileLayout.savepointsOf(checkpoint.pipeline())
                : checkpoint.pipeline();
    }

    /**
     * Loads and verifies a stored checkpoint that should be {@code id} of {@code pipeline}; with
     * {@code resolve}, reads and verifies its parts too, else checks only that they are stored.
     */
    private static Optional<CompletedCheckpoint> load(
            CheckpointStorage storage,
            PipelineKey where,
            PipelineKey pipeline,
            CheckpointId id,
            String fingerprint,
            boolean resolve)
            throws CheckpointStorageException, SnapshotFormatException, IncompatibleCheckpointException {
        Optional<byte[]> blob = storage.load(where, id);
        if (blob.isEmpty()) {
            return Optional.empty();
        }
        CompletedCheckpoint checkpoint = checked(SnapshotCodec.decode(blob.get()), fingerprint);
        if (!checkpoint.pipeline().equals(pipeline) || !checkpoint.id().equals(id)) {
            throw SnapshotFormatException.misplaced(
                    "it holds checkpoint " + checkpoint.id() + " of " + checkpoint.pipeline());
        }
        // A manifest's parts, stored beside it: one missing or corrupt makes the checkpoint unusable.
        if (resolve) {
            return Optional.of(StateParts.resolve(checkpoint, null, storage, where));
        }
        if (!checkpoint.allInline()) {
            Set<Long> stored = new HashSet<>();
            storage.list(FileLayout.partsOf(where)).forEach(p -> stored.add(p.value()));
            for (int i = 0; i < checkpoint.taskStates().size(); i++) {
                CheckpointId part = FileLayout.partId(id, i);
                if (!checkpoint.taskStates().get(i).inline() && !stored.contains(part.value())) {
                    throw SnapshotFormatException.missingPart("checkpoint " + id + " names part " + part + " ("
                            + checkpoint.taskStates().get(i).taskId() + "), which is not stored");
                }
            }
        }
        return Optional.of(checkpoint);
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
