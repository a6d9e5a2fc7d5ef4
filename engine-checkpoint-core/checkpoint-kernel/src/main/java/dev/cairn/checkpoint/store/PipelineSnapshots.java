package dev.cairn.checkpoint.store;

import dev.cairn.checkpoint.api.CheckpointType;
import dev.cairn.checkpoint.coordinator.CompletedCheckpointStore;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.snapshot.TaskState;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline's view of the cluster's memory ({@link CheckpointMemory}): its checkpoint id count (issued by {@link
 * IdLease}), where completed
 * checkpoints are put (complete when the put returns, backups included), and what the flusher
 * and recovery read. Blocking map calls run on the given I/O executor, never on the coordinator
 * thread.
 */
public final class PipelineSnapshots implements CompletedCheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineSnapshots.class);

    private final CheckpointMemory maps;
    private final PipelineKey pipeline;
    private final Executor io;

    public PipelineSnapshots(CheckpointMemory maps, PipelineKey pipeline, Executor io) {
        this.maps = maps;
        this.pipeline = pipeline;
        this.io = io;
    }

    public PipelineKey pipeline() {
        return pipeline;
    }

    /** The cluster's memory this view reads and writes. */
    public CheckpointMemory memory() {
        return maps;
    }

    /** The epoch of the master this view belongs to, once it claimed the pipeline; 0 before. */
    private volatile long epoch;

    /** This view belongs to the master of {@code claimed}: from now on it changes the record only in that epoch. */
    void bind(long claimed) {
        this.epoch = claimed;
    }

    public long epoch() {
        return epoch;
    }

    /** Applies {@code change} to the record, unless a master of another epoch has claimed it. */
    private PipelineRecord update(UnaryOperator<PipelineRecord> change) {
        long mine = epoch;
        return maps.update(pipeline, r -> {
            if (mine != 0 && r.epoch() != mine) {
                throw new DeposedException(pipeline + " was claimed by the master of epoch " + r.epoch()
                        + "; this master, of epoch " + mine + ", steps down");
            }
            return change.apply(r);
        });
    }

    /**
     * Issues the next id, if the lease allows it; blocking.
     *
     * @throws LeaseExhausted if the next id is above the lease: extend it in storage first
     * @throws DeposedException if another master claimed the pipeline
     */
    long issueWithinLease() {
        return update(r -> {
                    if (r.lastIssuedId() >= r.leasedUpTo()) {
                        throw new LeaseExhausted(r);
                    }
                    return r.withIssued(r.lastIssuedId() + 1);
                })
                .lastIssuedId();
    }

    /** The storage holds a lease up to {@code upTo} now. */
    void leased(long upTo) {
        update(r -> r.withLease(upTo));
    }

    /**
     * This master claimed the pipeline for {@code newEpoch}: ids from now on are above {@code
     * floor}, up to the lease {@code upTo}. Refused if the record already belongs to a newer epoch.
     */
    void claimed(long newEpoch, long floor, long upTo) {
        maps.update(pipeline, r -> {
            if (r.epoch() > newEpoch) {
                throw new DeposedException(
                        pipeline + " already belongs to the master of epoch " + r.epoch() + ", newer than " + newEpoch);
            }
            return r.withClaim(newEpoch, floor, upTo);
        });
        bind(newEpoch);
    }

    /** Thrown by {@link #issueWithinLease} when the next id is above the lease. */
    static final class LeaseExhausted extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        final transient PipelineRecord record;

        LeaseExhausted(PipelineRecord record) {
            super("checkpoint id " + (record.lastIssuedId() + 1) + " is above the lease " + record.leasedUpTo());
            this.record = record;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A checkpoint of an execution attempt that is no longer the pipeline's current one (a
     * restart began while it was being stored), or of a master that has been deposed, is refused
     * and removed: it must never become the latest completed checkpoint behind the new attempt's
     * or master's back.
     */
    @Override
    public CompletionStage<Long> add(CompletedCheckpoint checkpoint) {
        return CompletableFuture.supplyAsync(
                () -> {
                    byte[] blob = SnapshotCodec.encode(checkpoint);
                    put(checkpoint, blob);
                    return (long) blob.length;
                },
                io);
    }

    /** Puts an encoded checkpoint into the map and records it completed; blocking. */
    public void put(CompletedCheckpoint checkpoint, byte[] blob) {
        long id = checkpoint.id().value();
        if (!checkpoint.allInline()) {
            withParts.put(id, chunkKeys(checkpoint));
        }
        int attempt = Integer.parseInt(checkpoint.metadata().getOrDefault(CompletedCheckpoint.META_ATTEMPT, "-1"));
        maps.put(pipeline, id, blob); // returns after the sync backups
        try {
            update(r -> {
                if (attempt >= 0 && r.attempt() != attempt) {
                    throw new IllegalStateException("checkpoint " + id + " belongs to attempt " + attempt
                            + ", the pipeline is at attempt " + r.attempt());
                }
                return r.withCompleted(id, checkpoint.type() == CheckpointType.SAVEPOINT);
            });
        } catch (IllegalStateException stale) {
            maps.delete(pipeline, id);
            dropParts(id);
            throw stale;
        }
    }

    /**
     * Checkpoints of this master that name parts: their chunks go when they leave the map. A new
     * master does not know an older one's; {@link #sweepParts} clears those.
     */
    private final java.util.Map<Long, java.util.List<ChunkKey>> withParts =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Every chunk a manifest names, so that dropping it deletes keys, not a search of the map. */
    private static java.util.List<ChunkKey> chunkKeys(CompletedCheckpoint manifest) {
        java.util.List<ChunkKey> keys = new java.util.ArrayList<>();
        for (TaskState state : manifest.taskStates()) {
            if (!state.inline()) {
                int[] placements = state.handle().placements();
                for (int n = 0; n < placements.length; n++) {
                    keys.add(
                            new ChunkKey(manifest.pipeline(), manifest.id().value(), state.taskId(), n, placements[n]));
                }
            }
        }
        return keys;
    }

    private void dropParts(long id) {
        java.util.List<ChunkKey> keys = withParts.remove(id);
        if (keys != null) {
            maps.deleteChunks(keys);
        }
    }

    @Override
    public void abandoned(long id) {
        CompletableFuture.runAsync(() -> maps.deleteChunks(pipeline, id), io);
    }

    /**
     * Drops the chunks of every checkpoint the record does not hold: those of checkpoints that
     * failed, of attempts and masters that ended, of acknowledgements that came too late. Call it
     * when no checkpoint is in flight (an attempt starts); blocking.
     */
    public void sweepParts() {
        java.util.Set<Long> held = record().inMemory().stream().collect(java.util.stream.Collectors.toSet());
        for (long id : maps.chunkedIds(pipeline)) {
            if (!held.contains(id)) {
                maps.deleteChunks(pipeline, id);
            }
        }
    }

    public PipelineRecord record() {
        return maps.record(pipeline);
    }

    public Optional<byte[]> blob(long id) {
        return maps.get(pipeline, id);
    }

    /**
     * {@code checkpoint} with every state inline, its parts read from this memory or else from
     * {@code storage} (null: memory only), where {@code where} keeps it; blocking.
     */
    public CompletedCheckpoint resolve(CompletedCheckpoint checkpoint, CheckpointStorage storage, PipelineKey where)
            throws SnapshotFormatException, CheckpointStorageException {
        return StateParts.resolve(checkpoint, maps, storage, where);
    }

    /**
     * Records that {@code id} is in storage, and removes from the map every snapshot that neither
     * recovery (the latest) nor the storage (newer ones, unstored savepoints) still needs.
     */
    public PipelineRecord stored(long id) {
        return dropping(r -> r.withStored(id));
    }

    /** Drops checkpoint {@code id}, which can never be stored, without taking any as stored. */
    public PipelineRecord givenUp(long id) {
        return dropping(r -> r.withGivenUp(id));
    }

    /** Drops checkpoints the storage will never need (a newer one is written instead). */
    public PipelineRecord supersede(Collection<Long> ids) {
        return ids.isEmpty() ? record() : dropping(r -> r.without(ids));
    }

    /**
     * Changes the record, then deletes what it no longer holds. The record is what counts: once it
     * is changed this succeeds, and a delete that fails leaves a snapshot no record names (and no
     * restart reads) for the sweeps to delete: its chunks at an attempt's start, all of it when the
     * job ends.
     */
    private PipelineRecord dropping(UnaryOperator<PipelineRecord> change) {
        PipelineRecord before = record();
        PipelineRecord after = update(change);
        for (long held : before.inMemory()) {
            if (!after.inMemory().contains(held)) {
                try {
                    maps.delete(pipeline, held);
                    dropParts(held);
                } catch (RuntimeException e) {
                    LOG.debug("{}: cannot delete checkpoint {} from the map; a sweep will", pipeline, held, e);
                }
            }
        }
        return after;
    }

    /** Starts the next execution attempt and returns its number. */
    public int nextAttempt() {
        return update(r -> r.withAttempt(r.attempt() + 1)).attempt();
    }
}
