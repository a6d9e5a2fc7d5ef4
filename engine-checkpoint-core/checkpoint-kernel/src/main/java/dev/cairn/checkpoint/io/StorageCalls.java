package dev.cairn.checkpoint.io;

import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.JobId;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Every call a member makes to its checkpoint storage, on threads of their own and with a deadline
 * per call: a storage that hangs (a dead NFS mount, a black-holed endpoint) costs the job that uses
 * it its commits, never another job's checkpoints, the cluster's map puts or its messages, which
 * run elsewhere.
 *
 * <ul>
 *   <li><b>Deadline.</b> A call that has not answered within {@code call-timeout} completes
 *       exceptionally with a {@link CheckpointStorageException} saying so, and its thread is
 *       interrupted. The caller treats it as failed and retries; the call itself may still end
 *       later, on its own (a store then leaves a whole checkpoint or nothing, as every store
 *       does).
 *   <li><b>Lanes.</b> Calls are counted per job. A job may have {@value #PER_JOB} calls running at
 *       once, those past their deadline included: a job whose storage hangs ties up at most that
 *       many threads. Its further calls wait in the job's line, their deadline running, while the
 *       running ones are within theirs (a busy job, many pipelines flushing at once); once one of
 *       them is past its deadline and still has not returned, further calls fail at once, saying
 *       how long it has hung, instead of queueing behind it.
 *   <li><b>Threads.</b> At most {@value #THREADS}, made when needed and ended when idle. Calls
 *       beyond that wait in line, their deadline running.
 * </ul>
 */
public final class StorageCalls implements AutoCloseable {
    /**
     * Calls of one job that may run at once, hung ones included: room for the overlapping writes
     * of a pipeline or two, their fence checks and retention, and a restore plan.
     */
    public static final int PER_JOB = 8;
    /** Threads for every job together: eight jobs whose storage hangs leave room for the rest. */
    public static final int THREADS = 64;

    /** One call: what it does with the storage (it may read the cluster's maps too). */
    @FunctionalInterface
    public interface Call<T> {
        T run(CheckpointStorage storage) throws Exception;
    }

    private final CheckpointStorage storage;
    private final long deadlineMillis;
    private final LongSupplier clock;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    /** The calls of one job: those running (hung ones included) and those waiting for a lane. */
    private static final class Lane {
        /** When each running call started. */
        final Map<Pending<?>, Long> running = new HashMap<>();

        final ArrayDeque<Pending<?>> waiting = new ArrayDeque<>();

        long oldestStart() {
            long oldest = Long.MAX_VALUE;
            for (long start : running.values()) {
                oldest = Math.min(oldest, start);
            }
            return oldest;
        }
    }

    /** One call, from the moment it is asked for. */
    private static final class Pending<T> {
        final String what;
        final Call<T> call;
        final CompletableFuture<T> result = new CompletableFuture<>();
        final AtomicBoolean started = new AtomicBoolean();
        volatile Future<?> thread;

        Pending(String what, Call<T> call) {
            this.what = what;
            this.call = call;
        }
    }

    public StorageCalls(CheckpointStorage storage, long deadlineMillis) {
        this(storage, deadlineMillis, System::currentTimeMillis);
    }

    StorageCalls(CheckpointStorage storage, long deadlineMillis, LongSupplier clock) {
        this.storage = storage;
        this.deadlineMillis = deadlineMillis;
        this.clock = clock;
        this.workers = new ThreadPoolExecutor(
                THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("cairn-storage"));
        this.workers.allowCoreThreadTimeOut(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("cairn-storage-deadline"));
    }

    /** The storage itself, for what is not a call on a job's behalf (its name in a log line). */
    public CheckpointStorage storage() {
        return storage;
    }

    public long deadlineMillis() {
        return deadlineMillis;
    }

    /**
     * Runs {@code call} on a storage thread, once {@code job} has fewer than {@value #PER_JOB}
     * calls running. Completes with its result; exceptionally with its {@link
     * CheckpointStorageException} (or other exception), or with one saying it did not answer within
     * the deadline (counted from now, waiting included), or at once with one saying that a call of
     * {@code job} is past its deadline and has not returned while every lane is taken.
     *
     * @param what what the call does, for messages: "store checkpoint 7 of job-1/1"
     */
    public <T> CompletableFuture<T> call(JobId job, String what, Call<T> call) {
        Pending<T> pending = new Pending<>(what, call);
        CompletableFuture<T> result = pending.result;
        String laneKey = job == null ? "" : job.value();
        Lane lane = lanes.computeIfAbsent(laneKey, k -> new Lane());
        long now = clock.getAsLong();
        boolean runNow;
        synchronized (lane) {
            runNow = lane.running.size() < PER_JOB;
            if (runNow) {
                lane.running.put(pending, now);
            } else {
                long oldest = lane.oldestStart();
                if (now - oldest >= deadlineMillis) {
                    result.completeExceptionally(new CheckpointStorageException("cannot " + what + ": " + PER_JOB
                            + " earlier storage calls of job " + laneKey + " have not returned (the oldest for "
                            + (now - oldest) / 1000 + " s); the storage may hang"));
                    return result;
                }
                lane.waiting.removeIf(w -> w.result.isDone()); // past their deadline while they waited
                lane.waiting.add(pending);
            }
        }
        try {
            var deadline = timer.schedule(
                    () -> {
                        Future<?> thread = pending.thread;
                        if (result.completeExceptionally(new CheckpointStorageException("cannot " + what
                                        + ": the storage did not answer within " + deadlineMillis
                                        + " ms (seatunnel.engine.checkpoint.storage.call-timeout)"))
                                && pending.started.get()
                                && thread != null) {
                            thread.cancel(true); // a call not yet on its thread sees it is late there and returns
                        }
                    },
                    deadlineMillis,
                    TimeUnit.MILLISECONDS);
            result.whenComplete((r, e) -> deadline.cancel(false));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new CheckpointStorageException("cannot " + what + ": the member is closing"));
        }
        if (runNow) {
            start(lane, pending);
        }
        return result;
    }

    /** Runs {@code pending} on a storage thread; if the member is closing, fails it and every call waiting after it. */
    private void start(Lane lane, Pending<?> pending) {
        for (Pending<?> p = pending; p != null; ) {
            Pending<?> call = p;
            try {
                call.thread = workers.submit(() -> run(lane, call));
                return;
            } catch (RejectedExecutionException e) {
                call.result.completeExceptionally(
                        new CheckpointStorageException("cannot " + call.what + ": the member is closing"));
                p = release(lane, call);
            }
        }
    }

    private <T> void run(Lane lane, Pending<T> pending) {
        pending.started.set(true);
        T value = null;
        Throwable error = null;
        Pending<?> next;
        try {
            if (!pending.result.isDone()) { // not already past its deadline while it waited for a thread
                value = pending.call.run(storage);
            }
        } catch (Throwable e) {
            error = e;
        } finally {
            // Released before the result is given: what the caller does next on this thread (the
            // next call of a chain) must find the lane free of this one.
            next = release(lane, pending);
        }
        if (next != null) {
            start(lane, next);
        }
        if (error != null) {
            pending.result.completeExceptionally(error);
        } else {
            pending.result.complete(value);
        }
    }

    /** Frees {@code done}'s lane; returns the waiting call that takes it (and is counted running), if any. */
    private Pending<?> release(Lane lane, Pending<?> done) {
        synchronized (lane) {
            lane.running.remove(done);
            for (Pending<?> next; (next = lane.waiting.poll()) != null; ) {
                if (!next.result.isDone()) {
                    lane.running.put(next, clock.getAsLong());
                    return next;
                }
            }
            return null;
        }
    }

    /** How many calls of {@code job} have started and not yet returned (hung ones included). */
    public int running(JobId job) {
        Lane lane = lanes.get(job.value());
        if (lane == null) {
            return 0;
        }
        synchronized (lane) {
            return lane.running.size();
        }
    }

    /** Stops taking calls and interrupts those running; the storage itself is closed by its owner. */
    @Override
    public void close() {
        workers.shutdownNow();
        timer.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
