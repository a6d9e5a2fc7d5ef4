package dev.cairn.checkpoint.flush;

import static dev.cairn.checkpoint.io.Failures.cause;

import dev.cairn.checkpoint.coordinator.Backoff;
import dev.cairn.checkpoint.io.StorageCalls;
import dev.cairn.checkpoint.snapshot.CompletedCheckpoint;
import dev.cairn.checkpoint.snapshot.SnapshotCodec;
import dev.cairn.checkpoint.snapshot.SnapshotFormatException;
import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.FileLayout;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import dev.cairn.checkpoint.store.DeposedException;
import dev.cairn.checkpoint.store.IdLease;
import dev.cairn.checkpoint.store.PipelineRecord;
import dev.cairn.checkpoint.store.PipelineSnapshots;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one pipeline's completed checkpoints from the snapshot map to the storage: completing a
 * checkpoint never waits for it, and a checkpoint is <em>stored</em> (the sinks may commit it) only
 * once it is written and this master still holds the pipeline ({@link IdLease#verify}).
 *
 * <ul>
 *   <li><b>Overlapping writes.</b> Up to {@value #MAX_IN_FLIGHT} writes run at once, each started
 *       as soon as its checkpoint completes: with a slow store, a checkpoint is stored about one
 *       write after it completed, not after a queue of the writes before it.
 *   <li><b>Only the newest matters.</b> A stored checkpoint stands for every older one (sinks
 *       commit every transaction up to it), so when all slots are busy only the newest waiting
 *       checkpoint is kept; older waiting ones are dropped from the map. Memory stays bounded and
 *       triggers never wait for the storage, whatever it does. Savepoints are the exception: each
 *       is stored, apart ({@link FileLayout#savepointsOf}), and never dropped.
 *   <li><b>Retention.</b> After each checkpoint is stored, exactly the newest {@code max-retained}
 *       of the pipeline remain. A deposed master deletes nothing: retention runs after the fence.
 *   <li><b>Failures.</b> A failed or timed-out write is retried with backoff (100 ms doubling to 5
 *       s), until it is stored or a newer checkpoint is (which stands for it); the checkpoint stays
 *       in the map, with its backups, meanwhile.
 * </ul>
 *
 * <p>What is unstored is read from the pipeline's record in the cluster, so a flusher started on
 * another member after a failover picks up where this one stopped. Map calls run on the I/O
 * executor, storage calls on {@link StorageCalls}; state below is guarded by {@code this}.
 */
public final class PipelineFlusher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineFlusher.class);

    /** Writes of one pipeline running at once. */
    public static final int MAX_IN_FLIGHT = 4;

    /**
     * Completed checkpoints of one pipeline the storage may owe at once, savepoints aside: those
     * being written and the newest waiting. This bounds what a storage outage costs in memory.
     */
    public static final int MAX_BACKLOG = MAX_IN_FLIGHT + 1;

    private final PipelineKey pipeline;
    private final PipelineSnapshots snapshots;
    private final StorageCalls storage;
    private final IdLease fence;
    private final int maxRetained;
    private final ScheduledExecutorService io;
    private final Listener listener;
    private final PartStorer partStorer;

    // ---- guarded by this
    private final TreeSet<Long> writing = new TreeSet<>();
    private final Backoff backoff;
    /** After a failure: no new write before this (epoch millis). */
    private long notBefore;

    private boolean pumpQueued;
    private boolean retryQueued;
    private boolean closed;
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();

    /** Completed checkpoints the storage still owes, as of the last look at the record. */
    private volatile int backlog;

    /** Hears of progress. Called from storage and I/O threads; must not block. */
    public interface Listener {
        /** Checkpoint {@code id} is in storage and this master still holds the pipeline: commit up to it. */
        void stored(long id, long millis);

        /**
         * The flusher is done with checkpoint {@code id}: it is stored and retention has run after
         * it (older checkpoints and their parts deleted), or it is a savepoint.
         */
        default void settled(long id) {}

        /**
         * No write is under way any more (the last one ended, whatever its outcome): what is stored
         * now is settled, and no older write can land after its retention.
         */
        default void quiet() {}

        /** A write failed and will be retried. */
        default void storeFailed(long id, Exception error, int failures) {}

        /**
         * Checkpoint (or savepoint) {@code id} can never be stored ({@code why}: the map lost it or
         * a part of it, or holds it unreadable) and is given up; whoever waits for it to be stored
         * is told so. A checkpoint found superseded by a newer stored one is dropped quietly instead.
         */
        default void lost(long id, boolean savepoint, String why) {}

        /** A newer master holds the pipeline; this flusher has stopped. */
        void deposed(DeposedException e);
    }

    public PipelineFlusher(
            PipelineSnapshots snapshots,
            StorageCalls storage,
            IdLease fence,
            int maxRetained,
            ScheduledExecutorService io,
            Listener listener) {
        this(snapshots, storage, fence, maxRetained, io, listener, new LocalPartStorer(snapshots.memory(), storage));
    }

    /** With another way to store a manifest's parts: the cluster has each member store its own. */
    public PipelineFlusher(
            PipelineSnapshots snapshots,
            StorageCalls storage,
            IdLease fence,
            int maxRetained,
            ScheduledExecutorService io,
            Listener listener,
            PartStorer partStorer) {
        this(snapshots, storage, fence, maxRetained, io, listener, partStorer, new Backoff(100, 5_000));
    }

    /** With another backoff too: tests make it long, to see what happens while it runs. */
    PipelineFlusher(
            PipelineSnapshots snapshots,
            StorageCalls storage,
            IdLease fence,
            int maxRetained,
            ScheduledExecutorService io,
            Listener listener,
            PartStorer partStorer,
            Backoff backoff) {
        this.backoff = backoff;
        this.partStorer = partStorer;
        this.pipeline = snapshots.pipeline();
        this.snapshots = snapshots;
        this.storage = storage;
        this.fence = fence;
        this.maxRetained = maxRetained;
        this.io = io;
        this.listener = listener;
    }

    /** There may be something to write (a checkpoint completed, or this flusher just started). */
    public void wake() {
        synchronized (this) {
            if (closed || pumpQueued) {
                return;
            }
            pumpQueued = true;
        }
        runOnIo(this::pump, 0);
    }

    /** Checkpoint {@code id} just completed. */
    public void completed(long id) {
        wake();
    }

    public int backlog() {
        return backlog;
    }

    /**
     * Whether checkpoint {@code id} is stored, no savepoint is still owed to storage, and this
     * flusher has no write under way: neither its own (retention after it) nor an older one's,
     * which would land in storage after that retention and outlive it. {@link Listener#quiet} says
     * when to ask again.
     */
    public boolean settled(long id) {
        return snapshots.record().isStored(id) && idle();
    }

    /**
     * Whether the storage is owed nothing (no savepoint, no unstored checkpoint) and no write is
     * under way. {@link Listener#quiet} says when to ask again.
     */
    public boolean idle() {
        PipelineRecord record = snapshots.record(); // first: a write that starts after this look is seen below
        if (!record.unstored().isEmpty()) {
            return false;
        }
        synchronized (this) {
            return writing.isEmpty();
        }
    }

    /** Completes once the storage owes {@code id} nothing (it, or a newer checkpoint, is stored). */
    public CompletableFuture<Void> whenStored(long id) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(done);
        }
        wake(); // the record may say so already
        return done;
    }

    // ================================================================ I/O thread

    private void pump() {
        synchronized (this) {
            pumpQueued = false;
            if (closed) {
                return;
            }
        }
        PipelineRecord record;
        try {
            record = snapshots.record();
        } catch (RuntimeException e) {
            LOG.debug("{}: cannot read the pipeline record; trying again", pipeline, e);
            retryIn(backoff.failed());
            return;
        }
        answerWaiters(record);
        List<Long> start = new ArrayList<>();
        List<Long> superseded = new ArrayList<>();
        long waitUntil;
        synchronized (this) {
            List<Long> unstored = record.unstored();
            long now = System.currentTimeMillis();
            waitUntil = notBefore > now ? notBefore : 0;
            Long newest = null;
            List<Long> savepoints = new ArrayList<>();
            for (long id : unstored) {
                if (record.isSavepoint(id)) {
                    savepoints.add(id);
                } else if (newest == null || id > newest) {
                    newest = id;
                }
            }
            for (long id : unstored) {
                if (!record.isSavepoint(id) && id != newest && !writing.contains(id)) {
                    superseded.add(id);
                }
            }
            backlog = unstored.size() - superseded.size();
            if (waitUntil == 0) {
                List<Long> wanted = new ArrayList<>(savepoints);
                if (newest != null) {
                    wanted.add(newest);
                }
                for (long id : wanted) {
                    if (writing.size() >= MAX_IN_FLIGHT) {
                        break;
                    }
                    if (writing.add(id)) {
                        start.add(id);
                    }
                }
            }
        }
        if (!superseded.isEmpty()) {
            try {
                snapshots.supersede(superseded);
            } catch (DeposedException e) {
                deposed(e);
                return;
            } catch (RuntimeException e) {
                LOG.debug("{}: cannot drop superseded checkpoints {} yet", pipeline, superseded, e);
            }
        }
        for (long id : start) {
            write(id, record.isSavepoint(id));
        }
        if (waitUntil > 0) {
            retryIn(waitUntil - System.currentTimeMillis());
        }
    }

    /**
     * Writes one checkpoint, checks the fence, records it stored (the listener commits up to it),
     * then applies retention; only then is the write done ({@link Listener#settled}). A manifest's
     * parts are stored first ({@link PartStorer}: in the cluster, by the members that hold them),
     * and the manifest last: a stored manifest names only stored parts.
     */
    private void write(long id, boolean savepoint) {
        long started = System.nanoTime();
        Optional<byte[]> blob;
        CompletedCheckpoint manifest;
        try {
            blob = snapshots.blob(id);
            manifest = blob.isPresent() ? manifest(blob.get()) : null;
        } catch (SnapshotFormatException e) {
            lost(id, savepoint, "it is unusable in the snapshot map: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            finished(id, e);
            return;
        }
        if (blob.isEmpty()) {
            // Only if the map lost every replica: nothing can bring it back; say so and move on.
            lost(id, savepoint, "it is not in the snapshot map any more");
            return;
        }
        PipelineKey where = savepoint ? FileLayout.savepointsOf(pipeline) : pipeline;
        String what = "store " + (savepoint ? "savepoint " : "checkpoint ") + id + " of " + pipeline;
        CompletableFuture<Void> parts = CompletableFuture.completedFuture(null);
        if (manifest != null) {
            pruneParts = true;
            parts = parts.thenCompose(v -> partStorer.store(where, manifest));
        }
        parts.thenCompose(v -> storage.call(pipeline.jobId(), what, s -> {
                    s.store(where, CheckpointId.of(id), new ByteArrayInputStream(blob.get()));
                    return null;
                }))
                .thenCompose(v -> fence.verify())
                .thenApplyAsync(v -> snapshots.stored(id), io)
                .thenCompose(record -> {
                    // Stored: commits need not wait for the deletes of older checkpoints.
                    boolean open;
                    synchronized (this) {
                        open = !closed;
                    }
                    if (open) {
                        listener.stored(id, (System.nanoTime() - started) / 1_000_000);
                    }
                    return savepoint ? CompletableFuture.completedFuture(null) : retainAfter(id);
                })
                .whenCompleteAsync((v, error) -> ended(id, savepoint, error), io); // it reads the map
    }

    private void ended(long id, boolean savepoint, Throwable error) {
        if (missingPart(error) instanceof SnapshotFormatException missing) {
            if (!savepoint && newerStored(id)) {
                // A newer checkpoint was stored meanwhile and this one's chunks dropped with it:
                // nothing is lost, the newer one stands for it.
                LOG.debug("{}: checkpoint {} was superseded while its parts were stored", pipeline, id);
                endSuperseded(id);
            } else {
                lost(id, savepoint, "a part of it is not in the snapshot map any more: " + missing.getMessage());
            }
        } else {
            finished(id, error);
        }
    }

    /** The manifest a blob holds, or null for a checkpoint in format 1 (it names no parts). */
    private static CompletedCheckpoint manifest(byte[] blob) throws SnapshotFormatException {
        return SnapshotCodec.readHeader(blob).version() == SnapshotCodec.MANIFEST_VERSION
                ? SnapshotCodec.decode(blob)
                : null;
    }

    private boolean newerStored(long id) {
        try {
            return snapshots.record().isStored(id);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The MISSING_PART refusal among the causes of {@code error}, or null. */
    private static Throwable missingPart(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SnapshotFormatException e && e.reason() == SnapshotFormatException.Reason.MISSING_PART) {
                return t;
            }
        }
        return null;
    }

    /**
     * Whether stored parts may need pruning: at first (a former master may have left some), and
     * while the newest checkpoints name parts. A pipeline without parts lists none at each store.
     */
    private volatile boolean pruneParts = true;

    /**
     * A checkpoint that can never be stored: logged, its waiters failed, the listener told, and
     * dropped from the map.
     */
    private void lost(long id, boolean savepoint, String why) {
        String what = (savepoint ? "savepoint " : "checkpoint ") + id + " of " + pipeline;
        // Out of the map before anyone hears of it: a restart must not find it there. If the map
        // cannot drop it, no one hears of it yet, and its write stays under way: it is given up
        // again after a backoff (dropping twice is harmless: the record no longer holds it).
        CompletableFuture.runAsync(() -> snapshots.givenUp(id), io).whenComplete((v, e) -> {
            if (e == null) {
                droppedLost(id, savepoint, what, why);
                return;
            }
            long retry;
            synchronized (this) {
                if (closed) {
                    return;
                }
                retry = backoff.failed();
            }
            LOG.warn(
                    "{}: cannot drop the given-up {} from the map, trying again in {} ms: {}",
                    pipeline,
                    what,
                    retry,
                    cause(e).getMessage());
            runOnIo(
                    () -> {
                        if (!savepoint && newerStored(id)) {
                            endSuperseded(id); // a newer checkpoint stands for it after all
                        } else {
                            lost(id, savepoint, why);
                        }
                    },
                    retry);
        });
    }

    /** A lost checkpoint is out of the map: its waiters and the listener hear of it, and what it left in storage goes. */
    private void droppedLost(long id, boolean savepoint, String what, String why) {
        LOG.error("The {} cannot be stored: {}", what, why);
        List<CompletableFuture<Void>> waiting;
        boolean open;
        synchronized (this) {
            waiting = waiters.remove(id); // nothing will ever store it
            open = !closed;
        }
        if (waiting != null) {
            IllegalStateException e = new IllegalStateException("the " + what + " cannot be stored: " + why);
            waiting.forEach(f -> f.completeExceptionally(e));
        }
        if (open) {
            listener.lost(id, savepoint, why);
        }
        // Parts of it may be stored: behind the fence, they go, and a retention pass runs, as after
        // a superseded write.
        fence.verify()
                .thenCompose(v -> deleteParts(savepoint ? FileLayout.savepointsOf(pipeline) : pipeline, id))
                .thenCompose(v -> savepoint ? CompletableFuture.<Void>completedFuture(null) : retainAfter(id, 1))
                .whenComplete((v, e) -> {
                    if (e != null && cause(e) instanceof DeposedException deposed) {
                        deposed(deposed);
                        return;
                    }
                    if (e != null) {
                        LOG.warn(
                                "{}: cannot delete what the given-up {} left in storage: {}",
                                pipeline,
                                what,
                                cause(e).getMessage());
                    }
                    writeEnded(id);
                    wake();
                });
    }

    /**
     * Deletes the parts of checkpoint {@code id} stored under {@code where}, as far as any were;
     * none if its manifest is there (an earlier try stored it, then failed), which names them.
     */
    private CompletableFuture<Void> deleteParts(PipelineKey where, long id) {
        PipelineKey parts = FileLayout.partsOf(where);
        return storage.call(pipeline.jobId(), "delete the parts of " + where + " checkpoint " + id, s -> {
            if (s.list(where).contains(CheckpointId.of(id))) {
                return null;
            }
            for (CheckpointId part : s.list(parts)) {
                if (FileLayout.checkpointOfPart(part).value() == id) {
                    s.delete(parts, part);
                }
            }
            return null;
        });
    }

    /**
     * Ends the write of {@code id}, which a newer stored checkpoint stands for, after a retention
     * pass behind the fence: some of what it wrote (parts, even its manifest) may have landed after
     * the newer one's pass, which was perhaps the job's last.
     */
    private void endSuperseded(long id) {
        retainAfter(id, 2).whenComplete((v, e) -> {
            if (e != null && cause(e) instanceof DeposedException deposed) {
                deposed(deposed);
                return;
            }
            writeEnded(id);
            wake();
        });
    }

    /** The write of {@code id} is over and needs nothing more: the listener hears if it was the last under way. */
    private void writeEnded(long id) {
        boolean quiet;
        synchronized (this) {
            quiet = writing.remove(id) && writing.isEmpty() && !closed;
        }
        if (quiet) {
            listener.quiet();
        }
    }

    /** Tries of the retention after one stored checkpoint, 100 ms then 200 ms apart. */
    static final int RETENTION_TRIES = 3;

    /**
     * {@link #retain} after {@code id} was stored, tried again (behind the fence again) if it
     * fails: after a job's final checkpoint no later retention would. A failure is not the write's:
     * the checkpoint is stored, and the next stored checkpoint's retention deletes what this one
     * left.
     */
    private CompletableFuture<Void> retainAfter(long id) {
        return retainAfter(id, 1);
    }

    private CompletableFuture<Void> retainAfter(long id, int attempt) {
        CompletableFuture<Void> tried = attempt == 1 ? retain() : fence.verify().thenCompose(v -> retain());
        return tried.exceptionallyCompose(e -> {
            Throwable cause = cause(e);
            if (cause instanceof DeposedException) {
                return CompletableFuture.failedFuture(cause); // the write ends as deposed: this master stops
            }
            boolean open;
            synchronized (this) {
                open = !closed;
            }
            if (attempt < RETENTION_TRIES && open) {
                LOG.debug(
                        "{}: retention after checkpoint {} failed (try {}): {}",
                        pipeline,
                        id,
                        attempt,
                        cause.getMessage());
                return new CompletableFuture<Void>()
                        .completeOnTimeout(null, 100L << (attempt - 1), TimeUnit.MILLISECONDS)
                        .thenCompose(v -> retainAfter(id, attempt + 1));
            }
            LOG.warn(
                    "{}: retention after checkpoint {} failed; the next stored checkpoint applies it: {}",
                    pipeline,
                    id,
                    cause.getMessage());
            return CompletableFuture.completedFuture(null);
        });
    }

    /**
     * Leaves exactly the newest {@code maxRetained} checkpoints of the pipeline in storage, and the
     * parts those name: parts of older checkpoints (retired, or left by a failed write or a deposed
     * master, whose ids are lower) are deleted after the manifests.
     */
    private CompletableFuture<Void> retain() {
        return storage.call(pipeline.jobId(), "apply retention to " + pipeline, s -> {
            List<CheckpointId> ids = s.list(pipeline);
            for (int i = 0; i < ids.size() - maxRetained; i++) {
                s.delete(pipeline, ids.get(i));
            }
            if (!ids.isEmpty() && pruneParts) {
                CheckpointId oldestKept = ids.get(Math.max(0, ids.size() - maxRetained));
                CheckpointId floor = FileLayout.partId(oldestKept, 0);
                PipelineKey parts = FileLayout.partsOf(pipeline);
                List<CheckpointId> held = s.list(parts);
                for (CheckpointId part : held) {
                    if (part.value() >= floor.value()) {
                        break;
                    }
                    s.delete(parts, part);
                }
                pruneParts = !held.isEmpty() && held.get(held.size() - 1).value() >= floor.value();
            }
            return null;
        });
    }

    private void finished(long id, Throwable error) {
        Throwable cause = error == null ? null : cause(error);
        if (cause != null && !(cause instanceof DeposedException) && newerStored(id)) {
            // A newer checkpoint was stored while this one was written: nothing will retry it, and
            // its failure is no sign of the storage's health (the newer write succeeded).
            LOG.debug("{}: the write of superseded checkpoint {} failed: {}", pipeline, id, cause.getMessage());
            endSuperseded(id);
            return;
        }
        long retry = -1;
        int failures = 0;
        boolean quiet;
        synchronized (this) {
            writing.remove(id);
            if (closed) {
                return;
            }
            quiet = writing.isEmpty();
            if (cause == null) {
                backoff.succeeded();
                notBefore = 0;
            } else if (!(cause instanceof DeposedException)) {
                failures = backoff.failures() + 1;
                retry = backoff.failed();
                notBefore = System.currentTimeMillis() + retry;
            }
        }
        if (cause == null) {
            listener.settled(id);
            if (quiet) {
                listener.quiet();
            }
            wake();
        } else if (cause instanceof DeposedException deposed) {
            deposed(deposed);
        } else {
            Exception e = cause instanceof Exception x ? x : new RuntimeException(cause);
            if (failures == 1 || failures % 10 == 0) {
                LOG.warn(
                        "Cannot store checkpoint {} of {} (attempt {}), retrying: {}",
                        id,
                        pipeline,
                        failures,
                        cause.getMessage());
            }
            listener.storeFailed(id, e, failures);
            if (quiet) {
                listener.quiet(); // a savepoint, or the newest unstored checkpoint, is retried
            }
            retryIn(retry);
        }
    }

    private void deposed(DeposedException e) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        LOG.warn("{}: stops storing: {}", pipeline, e.getMessage());
        failWaiters(e);
        listener.deposed(e);
    }

    private void answerWaiters(PipelineRecord record) {
        List<CompletableFuture<Void>> ready = new ArrayList<>();
        synchronized (this) {
            for (var it = waiters.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, List<CompletableFuture<Void>>> entry = it.next();
                if (record.isStored(entry.getKey())) {
                    ready.addAll(entry.getValue());
                    it.remove();
                }
            }
        }
        ready.forEach(f -> f.complete(null));
    }

    private void failWaiters(RuntimeException e) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (this) {
            waiters.values().forEach(all::addAll);
            waiters.clear();
        }
        all.forEach(f -> f.completeExceptionally(e));
    }

    /**
     * Looks again after {@code millis} (the end of a backoff). A completion meanwhile still looks at
     * once, so that older waiting checkpoints are dropped as newer ones come, whatever the backoff.
     */
    private void retryIn(long millis) {
        synchronized (this) {
            if (closed || retryQueued) {
                return;
            }
            retryQueued = true;
        }
        runOnIo(
                () -> {
                    synchronized (this) {
                        retryQueued = false;
                    }
                    wake();
                },
                Math.max(0, millis));
    }

    private void runOnIo(Runnable work, long delayMillis) {
        try {
            io.schedule(work, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                pumpQueued = false;
                retryQueued = false;
            }
            // The member's I/O threads are gone: what is unstored stays in the map for whoever takes over.
            LOG.debug("{}: this member is closing; storing is left to the member that takes over", pipeline);
        }
    }

    /** Stops starting writes; those under way end on their own. Waiters hear that nothing more comes. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        failWaiters(new IllegalStateException(pipeline + ": its master stopped"));
    }
}
