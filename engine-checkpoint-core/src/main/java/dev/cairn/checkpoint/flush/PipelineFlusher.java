package dev.cairn.checkpoint.flush;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.PipelineRecord;
import dev.cairn.checkpoint.store.PipelineSnapshots;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one pipeline's completed checkpoints from the snapshot map to the storage, oldest first,
 * asynchronously: completing a checkpoint never waits for it. After each write it applies
 * retention (exactly {@code max-retained} checkpoints stay in storage, the one just written among
 * them) and lets the map drop what it no longer needs. A failed write is retried with backoff,
 * forever: the checkpoint stays in the map (with its backups) until it is written.
 *
 * <p>What is unflushed is read from the pipeline's record in the cluster, not kept here, so a
 * flusher started on another member after a failover picks up exactly where this one stopped.
 *
 * <p>One drain runs at a time, on the I/O executor.
 */
public final class PipelineFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineFlusher.class);

    /** Completed but unflushed checkpoints per pipeline beyond which no new one is triggered. */
    public static final int BACKLOG_LIMIT = 4;

    private final PipelineKey pipeline;
    private final PipelineSnapshots snapshots;
    private final CheckpointStorage storage;
    private final int maxRetained;
    private final ScheduledExecutorService io;
    private final Listener listener;
    private final Backoff backoff = new Backoff(100, 5_000);
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean wakeAgain = new AtomicBoolean();
    private volatile boolean closed;
    /**
     * The backlog, exactly: checkpoints completed here or listed unflushed in the record, less
     * those flushed. Completions add to it and flushes take from it, so a record read just before a
     * completion landed cannot make the count drop below the truth.
     */
    private final ConcurrentSkipListSet<Long> unflushed = new ConcurrentSkipListSet<>();
    /** Every checkpoint up to this id is in storage or superseded, as far as this flusher knows. */
    private final AtomicLong flushedUpTo = new AtomicLong(-1);

    /** Hears of progress. Called from the I/O thread. */
    public interface Listener {
        /** Checkpoint {@code id} is in storage; the backlog is now {@code backlog}. */
        void flushed(long id, long millis, int backlog);

        /** A write failed and will be retried. */
        default void flushFailed(long id, Exception error, int failures) {}
    }

    public PipelineFlusher(
            PipelineSnapshots snapshots,
            CheckpointStorage storage,
            int maxRetained,
            ScheduledExecutorService io,
            Listener listener) {
        this.pipeline = snapshots.pipeline();
        this.snapshots = snapshots;
        this.storage = storage;
        this.maxRetained = maxRetained;
        this.io = io;
        this.listener = listener;
    }

    /** There may be something to flush (a checkpoint completed, or this flusher just started). */
    public void wake() {
        if (closed) {
            return;
        }
        if (draining.compareAndSet(false, true)) {
            try {
                io.execute(this::drain);
            } catch (RejectedExecutionException e) {
                draining.set(false);
                memberClosing();
            }
        } else {
            wakeAgain.set(true);
        }
    }

    public int backlog() {
        return unflushed.size();
    }

    public boolean backlogFull() {
        return backlog() >= BACKLOG_LIMIT;
    }

    /** Counts checkpoint {@code id}, just completed, into the backlog before the flusher gets to it. */
    public void completed(long id) {
        unflushed.add(id);
        if (id <= flushedUpTo.get()) {
            unflushed.remove(id); // a drain that read the record first has already flushed it
        }
        wake();
    }

    /** Takes what {@code record} says into the backlog: its unflushed ids, and how far the flush got. */
    private void learn(PipelineRecord record) {
        long upTo = flushedUpTo.accumulateAndGet(record.flushedUpTo(), Math::max);
        unflushed.headSet(upTo, true).clear();
        for (long id : record.unflushed()) {
            if (id > upTo) {
                unflushed.add(id);
            }
        }
    }

    private void drain() {
        long retryIn = -1;
        try {
            while (!closed) {
                wakeAgain.set(false);
                PipelineRecord record = snapshots.record();
                learn(record);
                List<Long> pending = record.unflushed();
                if (pending.isEmpty()) {
                    break;
                }
                long id = pending.get(0);
                if (!flush(id, record.isSavepoint(id))) {
                    retryIn = backoff.failed();
                    break;
                }
                backoff.succeeded();
            }
        } catch (RuntimeException e) {
            LOG.warn("Flushing {} failed; retrying", pipeline, e);
            retryIn = backoff.failed();
        } finally {
            draining.set(false);
        }
        if (closed) {
            return;
        }
        if (retryIn >= 0) {
            try {
                io.schedule(this::wake, retryIn, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                memberClosing();
            }
        } else if (wakeAgain.get()) {
            wake();
        }
    }

    /** The member's I/O threads are gone: what is unflushed stays in the map for whoever takes over. */
    private void memberClosing() {
        LOG.debug("{}: this member is closing; the flush is left to the member that takes over", pipeline);
    }

    /**
     * Writes one checkpoint and applies retention; false if it must be retried. A savepoint goes to
     * the pipeline's savepoints ({@link FileLayout#savepointsOf}), where no retention reaches.
     */
    private boolean flush(long id, boolean savepoint) {
        long started = System.nanoTime();
        Optional<byte[]> blob = snapshots.blob(id);
        if (blob.isEmpty()) {
            // Only if the map lost every replica: nothing can bring it back; say so and move on.
            LOG.error("Checkpoint {} of {} is not in the snapshot map any more and cannot be flushed", id, pipeline);
            learn(snapshots.flushed(id));
            return true;
        }
        try {
            if (savepoint) {
                storage.store(
                        FileLayout.savepointsOf(pipeline), CheckpointId.of(id), new ByteArrayInputStream(blob.get()));
            } else {
                storage.store(pipeline, CheckpointId.of(id), new ByteArrayInputStream(blob.get()));
                retain();
            }
        } catch (Exception e) {
            if (closed) {
                return false; // stopped mid-write (job ended, member leaving): not a storage failure
            }
            int failures = backoff.failures() + 1;
            if (failures == 1 || failures % 10 == 0) {
                LOG.warn(
                        "Cannot flush checkpoint {} of {} (attempt {}), retrying: {}",
                        id,
                        pipeline,
                        failures,
                        e.getMessage());
            }
            listener.flushFailed(id, e, failures);
            return false;
        }
        learn(snapshots.flushed(id));
        listener.flushed(id, (System.nanoTime() - started) / 1_000_000, backlog());
        return true;
    }

    /** Leaves exactly the newest {@code maxRetained} checkpoints of the pipeline in storage. */
    private void retain() throws Exception {
        List<CheckpointId> ids = storage.list(pipeline);
        for (int i = 0; i < ids.size() - maxRetained; i++) {
            storage.delete(pipeline, ids.get(i));
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
