package dev.cairn.it;

import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.ForwardingCheckpointStorage;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches every member's storage calls for what two masters of one pipeline could do to each other
 * (one {@code EpochWatch} per member; the findings shared by all). Checked, at each call:
 *
 * <ul>
 *   <li>no checkpoint id is stored twice with different content;
 *   <li>once an epoch has stored a checkpoint, the newest checkpoint in the namespace is never of
 *       an older epoch;
 *   <li>a member never deletes a checkpoint of a newer epoch than any it stored itself (a deposed
 *       master's retention must not touch the new master's checkpoints).
 * </ul>
 */
final class EpochWatch extends ForwardingCheckpointStorage {
    private static final Map<String, byte[]> CONTENT = new ConcurrentHashMap<>();
    private static final Map<String, Long> EPOCH_STORED = new ConcurrentHashMap<>();
    private static final List<String> VIOLATIONS = new CopyOnWriteArrayList<>();

    /** The highest epoch whose checkpoint this member stored. */
    private final AtomicLong ownEpoch = new AtomicLong();

    EpochWatch(CheckpointStorage delegate) {
        super(delegate);
    }

    static void reset() {
        CONTENT.clear();
        EPOCH_STORED.clear();
        VIOLATIONS.clear();
    }

    static List<String> violations() {
        return List.copyOf(VIOLATIONS);
    }

    @Override
    public void store(PipelineKey pipeline, CheckpointId id, InputStream data) throws CheckpointStorageException {
        if (FileLayout.holdsIds(pipeline)) {
            super.store(pipeline, id, data);
            return;
        }
        byte[] bytes;
        try {
            bytes = data.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String key = pipeline + "/" + id;
        byte[] before = CONTENT.putIfAbsent(key, bytes);
        if (before != null && !Arrays.equals(before, bytes)) {
            VIOLATIONS.add("checkpoint " + id + " of " + pipeline + " stored twice with different content");
        }
        long epoch = epochOf(bytes);
        ownEpoch.accumulateAndGet(epoch, Math::max);
        super.store(pipeline, id, new ByteArrayInputStream(bytes));
        EPOCH_STORED.merge(pipeline.toString(), epoch, Math::max);
        checkNewest(pipeline);
    }

    private void checkNewest(PipelineKey pipeline) throws CheckpointStorageException {
        if (FileLayout.holdsSavepoints(pipeline)) {
            return;
        }
        List<CheckpointId> ids = super.list(pipeline);
        if (ids.isEmpty()) {
            return;
        }
        CheckpointId newest = ids.get(ids.size() - 1);
        Optional<byte[]> blob = super.load(pipeline, newest);
        long current = EPOCH_STORED.getOrDefault(pipeline.toString(), 0L);
        if (blob.isPresent() && epochOf(blob.get()) < current) {
            VIOLATIONS.add("the newest checkpoint of " + pipeline + ", " + newest + ", is of epoch "
                    + epochOf(blob.get()) + ", older than epoch " + current + " which has stored one");
        }
    }

    @Override
    public void delete(PipelineKey pipeline, CheckpointId id) throws CheckpointStorageException {
        if (!FileLayout.holdsIds(pipeline)) {
            Optional<byte[]> blob = super.load(pipeline, id);
            if (blob.isPresent() && epochOf(blob.get()) > ownEpoch.get()) {
                VIOLATIONS.add("a member whose newest store was of epoch " + ownEpoch.get() + " deleted checkpoint "
                        + id + " of " + pipeline + ", of epoch " + epochOf(blob.get()));
            }
        }
        super.delete(pipeline, id);
    }

    private static long epochOf(byte[] blob) {
        try {
            CompletedCheckpoint checkpoint = SnapshotCodec.decode(blob);
            return Long.parseLong(checkpoint.metadata().getOrDefault(CompletedCheckpoint.META_EPOCH, "0"));
        } catch (Exception e) {
            return 0;
        }
    }
}
