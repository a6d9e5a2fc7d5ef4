package dev.cairn.checkpoint.cluster.internal.master;

import dev.cairn.checkpoint.api.CheckpointStats;
import dev.cairn.checkpoint.api.LatencyHistogram;
import dev.cairn.checkpoint.api.PipelineStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * A pipeline's counters and recent checkpoints, as this master counted them: what its job's record,
 * the status line and the statistics show.
 *
 * <p><b>One writer.</b> Every change runs on the job's coordinator thread ({@code writer}): the
 * coordinator's own reports arrive there, and the others (a restart on the control thread, a store
 * on a storage thread) are handed to it. Readers on any thread see each field whole (volatile) and
 * the history and histograms under this object's lock, which the writer takes only to change them.
 */
final class PipelineStatistics {
    /** The checkpoints kept in the history. */
    static final int HISTORY = 50;

    private final Executor writer;
    /** Told after each change handed to the writer: the job's record is rewritten soon. */
    private final Runnable changed;

    private volatile long completed;
    private volatile long failed;
    private volatile long committed;
    private volatile long restarts;
    private volatile long restores;
    private volatile long lastCommittedId = -1;
    private volatile CheckpointStats last;
    /** The latest failed write, while the storage has not caught up; null otherwise. */
    private volatile String storageError;

    private final Deque<CheckpointStats> history = new ArrayDeque<>(); // guarded by this
    /** Failed writes to storage, each retry counted; several writes may fail at once. */
    private long storageErrors; // guarded by this

    private LatencyHistogram duration = LatencyHistogram.EMPTY; // guarded by this
    private LatencyHistogram storageWrite = LatencyHistogram.EMPTY; // guarded by this

    /**
     * @param writer the job's coordinator thread
     * @param changed told after a change handed to the writer has been made
     */
    PipelineStatistics(Executor writer, Runnable changed) {
        this.writer = writer;
        this.changed = changed;
    }

    /** Makes {@code change} on the writer, then says so. */
    private void onWriter(Runnable change) {
        writer.execute(() -> {
            change.run();
            changed.run();
        });
    }

    // ---------------------------------------------------------------- changes, on the writer

    /** A checkpoint completed (reported on the coordinator thread). */
    void completed(CheckpointStats s) {
        completed++;
        last = s;
        synchronized (this) {
            duration = duration.plus(s.durationMillis());
            add(s);
        }
    }

    /** A checkpoint failed (reported on the coordinator thread). */
    void failed(CheckpointStats s) {
        failed++;
        synchronized (this) {
            add(s);
        }
    }

    /** Checkpoint {@code id} was committed: the tasks were told (reported on the coordinator thread). */
    void committed(long id, long at) {
        committed++;
        lastCommittedId = Math.max(lastCommittedId, id);
        synchronized (this) {
            replace(id, s -> s.committed(at));
        }
    }

    /** The pipeline restarts (from any thread). */
    void restarted() {
        onWriter(() -> restarts++);
    }

    /** The pipeline restores from a checkpoint (from any thread). */
    void restored() {
        onWriter(() -> restores++);
    }

    /** A write to storage failed (from any thread); {@code why} stands until a write succeeds. */
    void storeFailed(String why) {
        onWriter(() -> {
            storageError = why;
            synchronized (this) {
                storageErrors++;
            }
        });
    }

    /** Checkpoint {@code id} reached storage at {@code at}, the write took {@code millis} (from any thread). */
    void stored(long id, long at, long millis) {
        onWriter(() -> {
            storageError = null;
            synchronized (this) {
                storageWrite = storageWrite.plus(millis);
                replace(id, s -> s.flushed(at, millis));
            }
        });
    }

    private void add(CheckpointStats s) {
        history.addLast(s);
        while (history.size() > HISTORY) {
            history.removeFirst();
        }
    }

    private void replace(long id, UnaryOperator<CheckpointStats> change) {
        List<CheckpointStats> all = new ArrayList<>(history);
        history.clear();
        for (CheckpointStats s : all) {
            history.addLast(s.id() == id && s.completed() ? change.apply(s) : s);
        }
    }

    // ---------------------------------------------------------------- reads, from any thread

    long completed() {
        return completed;
    }

    long failed() {
        return failed;
    }

    long committed() {
        return committed;
    }

    long restarts() {
        return restarts;
    }

    long restores() {
        return restores;
    }

    long lastCommittedId() {
        return lastCommittedId;
    }

    /** The latest completed checkpoint, or null. */
    CheckpointStats last() {
        return last;
    }

    /** Why storage is behind, or null while writes succeed. */
    String storageError() {
        return storageError;
    }

    synchronized List<CheckpointStats> history() {
        return new ArrayList<>(history);
    }

    /**
     * The pipeline's counters for its job's record: this master's counts on top of {@code before},
     * what the previous master published (null for a job this master started).
     */
    synchronized PipelineStats record(String name, int backlog, PipelineStats before) {
        CheckpointStats latest = last;
        return new PipelineStats(
                name,
                (before == null ? 0 : before.checkpointsCompleted()) + completed,
                (before == null ? 0 : before.checkpointsCommitted()) + committed,
                (before == null ? 0 : before.checkpointsFailed()) + failed,
                (before == null ? 0 : before.restarts() + 1) + restarts, // the takeover restarted it
                (before == null ? 0 : before.restores()) + restores,
                backlog,
                latest != null ? latest.id() : before == null ? -1 : before.lastCheckpointId(),
                Math.max(before == null ? -1 : before.lastCommittedId(), lastCommittedId),
                latest != null ? latest.stateSize() : before == null ? 0 : before.lastCheckpointBytes(),
                storageError,
                (before == null ? 0 : before.storageErrors()) + storageErrors,
                before == null ? duration : before.duration().plus(duration),
                before == null ? storageWrite : before.storageWrite().plus(storageWrite));
    }
}
