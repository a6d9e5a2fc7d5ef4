package dev.cairn.checkpoint.store;

import dev.cairn.checkpoint.coordinator.CompletedCheckpointStore;
import dev.cairn.checkpoint.snapshot.CheckpointType;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * One pipeline's view of the cluster's snapshot maps: its checkpoint id count (issued by {@link
 * IdLease}), where completed
 * checkpoints are put (complete when the put returns, backups included), and what the flusher
 * and recovery read. Blocking map calls run on the given I/O executor, never on the coordinator
 * thread.
 */
public final class PipelineSnapshots implements CompletedCheckpointStore {
    private final SnapshotMaps maps;
    private final PipelineKey pipeline;
    private final Executor io;

    public PipelineSnapshots(SnapshotMaps maps, PipelineKey pipeline, Executor io) {
        this.maps = maps;
        this.pipeline = pipeline;
        this.io = io;
    }

    public PipelineKey pipeline() {
        return pipeline;
    }

    /**
     * Issues the next id, if the lease allows it; blocking.
     *
     * @throws LeaseExhausted if the next id is above the lease: extend it in storage first
     */
    long issueWithinLease() {
        return maps.update(pipeline, r -> {
                    if (r.lastIssuedId() >= r.leasedUpTo()) {
                        throw new LeaseExhausted(r);
                    }
                    return r.withIssued(r.lastIssuedId() + 1);
                })
                .lastIssuedId();
    }

    /** The storage holds a lease up to {@code upTo} now. */
    void leased(long upTo) {
        maps.update(pipeline, r -> r.withLease(upTo));
    }

    /**
     * A lease found in storage that this cluster does not know of (it lost its memory: a full
     * restart): every id up to it may have been issued, so none of them is issued again.
     */
    void leaseFoundInStorage(long upTo) {
        maps.update(
                pipeline, r -> r.leasedUpTo() >= upTo ? r : r.withIssued(upTo).withLease(upTo));
    }

    /** Thrown by {@link #issueWithinLease} when the next id is above the lease. */
    static final class LeaseExhausted extends IllegalStateException {
        final transient PipelineRecord record;

        LeaseExhausted(PipelineRecord record) {
            super("checkpoint id " + (record.lastIssuedId() + 1) + " is above the lease " + record.leasedUpTo());
            this.record = record;
        }
    }

    /** Makes every id issued from now on higher than {@code id}. */
    public void issueAbove(long id) {
        maps.update(pipeline, r -> r.withIssued(id));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A checkpoint of an execution attempt that is no longer the pipeline's current one (a
     * restart began while it was being stored) is refused and removed: it must never become the
     * latest completed checkpoint behind the new attempt's back.
     */
    @Override
    public CompletionStage<Long> add(CompletedCheckpoint checkpoint) {
        return CompletableFuture.supplyAsync(
                () -> {
                    byte[] blob = SnapshotCodec.encode(checkpoint);
                    long id = checkpoint.id().value();
                    int attempt = Integer.parseInt(
                            checkpoint.metadata().getOrDefault(CompletedCheckpoint.META_ATTEMPT, "-1"));
                    String key = SnapshotMaps.key(pipeline, id);
                    maps.snapshots().set(key, blob); // returns after the sync backups
                    try {
                        maps.update(pipeline, r -> {
                            if (attempt >= 0 && r.attempt() != attempt) {
                                throw new IllegalStateException("checkpoint " + id + " belongs to attempt " + attempt
                                        + ", the pipeline is at attempt " + r.attempt());
                            }
                            return r.withCompleted(id, checkpoint.type() == CheckpointType.SAVEPOINT);
                        });
                    } catch (IllegalStateException stale) {
                        maps.snapshots().delete(key);
                        throw stale;
                    }
                    return (long) blob.length;
                },
                io);
    }

    public PipelineRecord record() {
        return maps.record(pipeline);
    }

    public Optional<byte[]> blob(long id) {
        return Optional.ofNullable(maps.snapshots().get(SnapshotMaps.key(pipeline, id)));
    }

    /**
     * Records that {@code id} is in storage, and removes from the map every snapshot that neither
     * recovery (the latest) nor the flusher (the unflushed) still needs.
     */
    public PipelineRecord flushed(long id) {
        PipelineRecord before = record();
        PipelineRecord after = maps.update(pipeline, r -> r.withFlushed(id));
        for (long held : before.inMemory()) {
            if (!after.inMemory().contains(held)) {
                maps.snapshots().delete(SnapshotMaps.key(pipeline, held));
            }
        }
        return after;
    }

    /** After a restore from storage: that checkpoint counts as the latest completed and flushed. */
    public void restoredFromStorage(long id) {
        maps.update(pipeline, r -> r.withRestoredFromStorage(id));
    }

    /** Starts the next execution attempt and returns its number. */
    public int nextAttempt() {
        return maps.update(pipeline, r -> r.withAttempt(r.attempt() + 1)).attempt();
    }
}
