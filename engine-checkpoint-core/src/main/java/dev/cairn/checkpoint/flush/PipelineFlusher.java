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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final AtomicInteger backlog = new AtomicInteger();

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
            io.execute(this::drain);
        } else {
            wakeAgain.set(true);
        }
    }

    public int backlog() {
        return backlog.get();
    }

    public boolean backlogFull() {
        return backlog.get() >= BACKLOG_LIMIT;
    }

    /** Counts a completed checkpoint into the backlog before the flusher gets to it. */
    public void completed() {
        backlog.incrementAndGet();
        wake();
    }

    private void drain() {
        long retryIn = -1;
        try {
            while (!closed) {
                wakeAgain.set(false);
                PipelineRecord record = snapshots.record();
                List<Long> unflushed = record.unflushed();
                backlog.set(unflushed.size());
                if (unflushed.isEmpty()) {
                    break;
                }
                long id = unflushed.get(0);
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
            io.schedule(this::wake, retryIn, TimeUnit.MILLISECONDS);
        } else if (wakeAgain.get()) {
            wake();
        }
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
            snapshots.flushed(id);
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
        PipelineRecord after = snapshots.flushed(id);
        backlog.set(after.unflushed().size());
        listener.flushed(id, (System.nanoTime() - started) / 1_000_000, backlog.get());
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
