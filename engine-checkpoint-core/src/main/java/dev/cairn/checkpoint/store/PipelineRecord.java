package dev.cairn.checkpoint.store;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What the cluster remembers of a pipeline, beside its snapshots: the id counter, the latest
 * completed checkpoint, how far the flusher got, which checkpoints the snapshot map holds, and
 * the execution attempt. One entry per pipeline in {@link SnapshotMaps#PIPELINES}, written by the
 * pipeline's job master only, with compare-and-set.
 *
 * @param lastIssuedId the highest checkpoint id issued (ids only grow, the first is 1), 0 if none
 * @param lastCompletedId the latest completed checkpoint, -1 if none
 * @param flushedUpTo every completed checkpoint up to this id is in storage (or superseded), -1
 * @param inMemory ids whose snapshots the snapshot map holds, ascending
 * @param attempt the pipeline's latest execution attempt, 0 before the first
 * @param savepoints which of {@code inMemory} are savepoints (stored apart, never pruned)
 * @param leasedUpTo the id lease the storage holds ({@link IdLease}): no id above it is issued, 0
 *     if none
 */
public record PipelineRecord(
        long lastIssuedId,
        long lastCompletedId,
        long flushedUpTo,
        List<Long> inMemory,
        int attempt,
        List<Long> savepoints,
        long leasedUpTo) {

    public static final PipelineRecord EMPTY = new PipelineRecord(0, -1, -1, List.of(), 0, List.of(), 0);

    public PipelineRecord {
        inMemory = List.copyOf(new TreeSet<>(inMemory));
        savepoints = List.copyOf(new TreeSet<>(savepoints));
    }

    /** Completed checkpoints not yet flushed, ascending. */
    public List<Long> unflushed() {
        return inMemory.stream().filter(id -> id > flushedUpTo).toList();
    }

    public boolean isSavepoint(long id) {
        return savepoints.contains(id);
    }

    PipelineRecord withIssued(long id) {
        return new PipelineRecord(
                Math.max(lastIssuedId, id), lastCompletedId, flushedUpTo, inMemory, attempt, savepoints, leasedUpTo);
    }

    /** The storage now holds a lease up to {@code upTo}. */
    PipelineRecord withLease(long upTo) {
        return new PipelineRecord(
                lastIssuedId, lastCompletedId, flushedUpTo, inMemory, attempt, savepoints, Math.max(leasedUpTo, upTo));
    }

    /**
     * After {@code id} completed. A savepoint can complete after a later checkpoint was flushed
     * ({@code max-concurrent} above 1): the flush mark goes back below it, or it would never be
     * stored (the later checkpoint is then written once more, the same bytes).
     */
    PipelineRecord withCompleted(long id, boolean savepoint) {
        long flushed = savepoint && id <= flushedUpTo ? id - 1 : flushedUpTo;
        List<Long> ids = new ArrayList<>(inMemory);
        ids.add(id);
        List<Long> saves = new ArrayList<>(savepoints);
        if (savepoint) {
            saves.add(id);
        }
        return new PipelineRecord(
                Math.max(lastIssuedId, id), Math.max(lastCompletedId, id), flushed, ids, attempt, saves, leasedUpTo);
    }

    /** After {@code id} is flushed: what the map still needs is the latest completed one and the unflushed. */
    PipelineRecord withFlushed(long id) {
        long flushed = Math.max(flushedUpTo, id);
        List<Long> keep = inMemory.stream()
                .filter(i -> i == lastCompletedId || i > flushed)
                .toList();
        List<Long> saves = savepoints.stream().filter(keep::contains).toList();
        return new PipelineRecord(lastIssuedId, lastCompletedId, flushed, keep, attempt, saves, leasedUpTo);
    }

    PipelineRecord withAttempt(int newAttempt) {
        return new PipelineRecord(
                lastIssuedId, lastCompletedId, flushedUpTo, inMemory, newAttempt, savepoints, leasedUpTo);
    }

    /** After a restore from storage: that checkpoint counts as the latest completed and flushed. */
    PipelineRecord withRestoredFromStorage(long id) {
        return new PipelineRecord(
                Math.max(lastIssuedId, id),
                Math.max(lastCompletedId, id),
                Math.max(flushedUpTo, id),
                inMemory,
                attempt,
                savepoints,
                leasedUpTo);
    }

    byte[] encode() {
        Output out = new Output(40 + 10 * (inMemory.size() + savepoints.size()));
        out.writeVarLong(lastIssuedId + 1, true);
        out.writeVarLong(lastCompletedId + 1, true);
        out.writeVarLong(flushedUpTo + 1, true);
        writeIds(out, inMemory);
        out.writeVarInt(attempt, true);
        writeIds(out, savepoints);
        out.writeVarLong(leasedUpTo, true);
        return out.toBytes();
    }

    static PipelineRecord decode(byte[] bytes) {
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
            return new PipelineRecord(issued, completed, flushed, ids, attempt, savepoints, leased);
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
