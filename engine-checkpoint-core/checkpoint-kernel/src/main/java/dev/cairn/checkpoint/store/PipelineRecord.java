package dev.cairn.checkpoint.store;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * What the cluster remembers of a pipeline, beside its snapshots: the id counter and its lease,
 * the master epoch, the latest completed checkpoint, how far the storage got, which checkpoints
 * the snapshot map holds, and the execution attempt. One entry per pipeline in {@link
 * CheckpointMemory}, written by the pipeline's job master only, with compare-and-set.
 *
 * @param lastIssuedId the highest checkpoint id issued (ids only grow, the first is 1), 0 if none
 * @param lastCompletedId the latest completed checkpoint, -1 if none
 * @param storedUpTo the newest checkpoint in storage: every completed checkpoint up to it is in
 *     storage or superseded by it (never needs to be written), -1 if none
 * @param inMemory ids whose snapshots the snapshot map holds, ascending
 * @param attempt the pipeline's latest execution attempt, 0 before the first
 * @param savepoints savepoints among {@code inMemory} not yet in storage (a savepoint is never
 *     superseded: every one is stored, apart from the checkpoints)
 * @param leasedUpTo the id lease the storage holds ({@link IdLease}): no id above it is issued, 0
 *     if none
 * @param epoch the epoch of the master that claimed the pipeline last ({@link IdLease#claim}); 0
 *     before the first claim. A master of another epoch may not change the record.
 */
public record PipelineRecord(
        long lastIssuedId,
        long lastCompletedId,
        long storedUpTo,
        List<Long> inMemory,
        int attempt,
        List<Long> savepoints,
        long leasedUpTo,
        long epoch) {

    public static final PipelineRecord EMPTY = new PipelineRecord(0, -1, -1, List.of(), 0, List.of(), 0, 0);

    public PipelineRecord {
        inMemory = List.copyOf(new TreeSet<>(inMemory));
        savepoints = List.copyOf(new TreeSet<>(savepoints));
    }

    /**
     * Completed checkpoints the storage may still need, ascending: those newer than the newest
     * stored, and savepoints not yet stored.
     */
    public List<Long> unstored() {
        return inMemory.stream()
                .filter(id -> id > storedUpTo || savepoints.contains(id))
                .toList();
    }

    public boolean isSavepoint(long id) {
        return savepoints.contains(id);
    }

    /**
     * Whether the storage owes {@code id} nothing any more: it is stored, or (a checkpoint) a newer
     * one is.
     */
    public boolean isStored(long id) {
        return id <= storedUpTo && !savepoints.contains(id);
    }

    PipelineRecord withIssued(long id) {
        return new PipelineRecord(
                Math.max(lastIssuedId, id),
                lastCompletedId,
                storedUpTo,
                inMemory,
                attempt,
                savepoints,
                leasedUpTo,
                epoch);
    }

    /** The storage now holds a lease up to {@code upTo}. */
    PipelineRecord withLease(long upTo) {
        return new PipelineRecord(
                lastIssuedId,
                lastCompletedId,
                storedUpTo,
                inMemory,
                attempt,
                savepoints,
                Math.max(leasedUpTo, upTo),
                epoch);
    }

    /** A master of {@code newEpoch} claimed the pipeline: ids above {@code floor}, up to {@code upTo}. */
    PipelineRecord withClaim(long newEpoch, long floor, long upTo) {
        return new PipelineRecord(
                Math.max(lastIssuedId, floor),
                lastCompletedId,
                storedUpTo,
                inMemory,
                attempt,
                savepoints,
                Math.max(leasedUpTo, upTo),
                newEpoch);
    }

    /** After {@code id} completed (it is in the snapshot map). */
    PipelineRecord withCompleted(long id, boolean savepoint) {
        List<Long> ids = new ArrayList<>(inMemory);
        ids.add(id);
        List<Long> saves = new ArrayList<>(savepoints);
        if (savepoint) {
            saves.add(id);
        }
        return new PipelineRecord(
                Math.max(lastIssuedId, id),
                Math.max(lastCompletedId, id),
                storedUpTo,
                ids,
                attempt,
                saves,
                leasedUpTo,
                epoch);
    }

    /**
     * After {@code id} is in storage: what the map still needs is the latest completed (recovery),
     * the newer ones and the unstored savepoints (the storage).
     */
    PipelineRecord withStored(long id) {
        long stored = Math.max(storedUpTo, id);
        List<Long> saves = savepoints.stream().filter(s -> s != id).toList();
        List<Long> keep = inMemory.stream()
                .filter(i -> i == lastCompletedId || i > stored || saves.contains(i))
                .toList();
        return new PipelineRecord(lastIssuedId, lastCompletedId, stored, keep, attempt, saves, leasedUpTo, epoch);
    }

    /**
     * After {@code id} was given up (it can never be stored: the map lost it or a part of it): the
     * map drops it, and nothing else changes. Unlike {@link #withStored}, no older checkpoint is
     * thereby taken as stored.
     */
    PipelineRecord withGivenUp(long id) {
        return new PipelineRecord(
                lastIssuedId,
                lastCompletedId,
                storedUpTo,
                inMemory.stream().filter(i -> i != id).toList(),
                attempt,
                savepoints.stream().filter(s -> s != id).toList(),
                leasedUpTo,
                epoch);
    }

    /**
     * Without the snapshots of {@code ids}: checkpoints the storage will never need, because a newer
     * one is written instead. The latest completed and unstored savepoints are kept whatever the
     * caller says.
     */
    PipelineRecord without(Collection<Long> ids) {
        List<Long> keep = inMemory.stream()
                .filter(i -> i == lastCompletedId || savepoints.contains(i) || !ids.contains(i))
                .toList();
        return new PipelineRecord(
                lastIssuedId, lastCompletedId, storedUpTo, keep, attempt, savepoints, leasedUpTo, epoch);
    }

    PipelineRecord withAttempt(int newAttempt) {
        return new PipelineRecord(
                lastIssuedId, lastCompletedId, storedUpTo, inMemory, newAttempt, savepoints, leasedUpTo, epoch);
    }

    /** The record's bytes in the cluster's map. */
    public byte[] encode() {
        Output out = new Output(50 + 10 * (inMemory.size() + savepoints.size()));
        out.writeVarLong(lastIssuedId + 1, true);
        out.writeVarLong(lastCompletedId + 1, true);
        out.writeVarLong(storedUpTo + 1, true);
        writeIds(out, inMemory);
        out.writeVarInt(attempt, true);
        writeIds(out, savepoints);
        out.writeVarLong(leasedUpTo, true);
        out.writeVarLong(epoch, true);
        return out.toBytes();
    }

    /** What {@link #encode} wrote; {@link #EMPTY} for null. */
    public static PipelineRecord decode(byte[] bytes) {
        if (bytes == null) {
            return EMPTY;
        }
        try {
            Input in = new Input(bytes);
            long issued = in.readVarLong(true) - 1;
            long completed = in.readVarLong(true) - 1;
            long flushed = in.readVarLong(true) - 1;
            List<Long> ids = readIds(in, bytes.length);
            int attempt = in.readVarInt(true);
            List<Long> savepoints = readIds(in, bytes.length);
            long leased = in.position() < bytes.length ? in.readVarLong(true) : 0; // absent before leases
            long epoch = in.position() < bytes.length ? in.readVarLong(true) : 0; // absent before epochs
            return new PipelineRecord(issued, completed, flushed, ids, attempt, savepoints, leased, epoch);
        } catch (KryoException e) {
            throw new IllegalStateException("corrupt pipeline record: " + e.getMessage(), e);
        }
    }

    private static void writeIds(Output out, List<Long> ids) {
        out.writeVarInt(ids.size(), true);
        ids.forEach(id -> out.writeVarLong(id, true));
    }

    private static List<Long> readIds(Input in, int limit) {
        int count = in.readVarInt(true);
        if (count < 0 || count > limit) {
            throw new KryoException("bad count " + count);
        }
        List<Long> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(in.readVarLong(true));
        }
        return ids;
    }
}
