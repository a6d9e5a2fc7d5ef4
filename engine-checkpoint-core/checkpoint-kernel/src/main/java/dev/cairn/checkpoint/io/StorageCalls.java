package dev.cairn.checkpoint.io;

import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.CheckpointStorageException;
import dev.cairn.checkpoint.storage.api.JobId;
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
import java.util.concurrent.atomic.AtomicLong;
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
 *       many threads, and its further calls fail at once, saying how long the oldest has hung,
 *       instead of queueing behind it.
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

    /** The calls of one job that have started and not yet returned. */
    private static final class Lane {
        final AtomicInteger running = new AtomicInteger();
        /** When the oldest running call started, for the message of a refused one. */
        final AtomicLong oldestSince = new AtomicLong(Long.MAX_VALUE);
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
     * Runs {@code call} on a storage thread. Completes with its result; exceptionally with its
     * {@link CheckpointStorageException} (or other exception), or with one saying it did not
     * answer within the deadline, or that {@code job} already has {@value #PER_JOB} calls that
     * have not returned.
     *
     * @param what what the call does, for messages: "store checkpoint 7 of job-1/1"
     */
    public <T> CompletableFuture<T> call(JobId job, String what, Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        String laneKey = job == null ? "" : job.value();
        Lane lane = lanes.computeIfAbsent(laneKey, k -> new Lane());
        long now = clock.getAsLong();
        if (lane.running.incrementAndGet() > PER_JOB) {
            lane.running.decrementAndGet();
            long since = lane.oldestSince.get();
            result.completeExceptionally(new CheckpointStorageException("cannot " + what + ": " + PER_JOB
                    + " earlier storage calls of job " + laneKey + " have not returned"
                    + (since == Long.MAX_VALUE ? "" : " (the oldest for " + (now - since) / 1000 + " s)")
                    + "; the storage may hang"));
            return result;
        }
        lane.oldestSince.accumulateAndGet(now, Math::min);
        AtomicBoolean started = new AtomicBoolean();
        Future<?> running;
        try {
            running = workers.submit(() -> {
                started.set(true);
                T value = null;
                Throwable error = null;
                try {
                    if (!result.isDone()) { // not already past its deadline while it waited for a thread
                        value = call.run(storage);
                    }
                } catch (Throwable e) {
                    error = e;
                } finally {
                    // Released before the result is given: what the caller does next on this
                    // thread (the next call of a chain) must find the lane free of this one.
                    if (lane.running.decrementAndGet() == 0) {
                        lane.oldestSince.set(Long.MAX_VALUE);
                    }
                }
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(value);
                }
            });
        } catch (RejectedExecutionException e) {
            lane.running.decrementAndGet();
            result.completeExceptionally(new CheckpointStorageException("cannot " + what + ": the member is closing"));
            return result;
        }
        try {
            var deadline = timer.schedule(
                    () -> {
                        if (result.completeExceptionally(new CheckpointStorageException("cannot " + what
                                        + ": the storage did not answer within " + deadlineMillis
                                        + " ms (seatunnel.engine.checkpoint.storage.call-timeout)"))
                                && started.get()) {
                            running.cancel(
                                    true); // a call still waiting for a thread runs, sees it is late, and releases its
                            // lane
                        }
                    },
                    deadlineMillis,
                    TimeUnit.MILLISECONDS);
            result.whenComplete((r, e) -> deadline.cancel(false));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new CheckpointStorageException("cannot " + what + ": the member is closing"));
        }
        return result;
    }

    /** How many calls of {@code job} have started and not yet returned (hung ones included). */
    public int running(JobId job) {
        Lane lane = lanes.get(job.value());
        return lane == null ? 0 : lane.running.get();
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
