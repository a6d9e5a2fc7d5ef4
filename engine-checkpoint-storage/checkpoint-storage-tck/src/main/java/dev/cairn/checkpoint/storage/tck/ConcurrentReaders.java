package dev.cairn.checkpoint.storage.tck;

import dev.cairn.checkpoint.storage.api.CheckpointId;
import dev.cairn.checkpoint.storage.api.CheckpointStorage;
import dev.cairn.checkpoint.storage.api.PipelineKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Threads that load and list one checkpoint in a loop while the test replaces it, each through a
 * storage of its own, and remember the first thing they see that the contract forbids: the
 * checkpoint missing from a load or a listing, bytes that are neither whole version, or an error.
 *
 * <p>Between two replaces the writer waits until every reader has finished a load ({@link
 * #awaitALoadByEveryReader}). A store may legitimately retry a read that a replace cut short (on
 * HDFS the replaced file's blocks go away; an object store's ranged reads see the new object), and
 * back-to-back replaces could starve such a reader for ever; the engine never replaces an id
 * continuously.
 */
final class ConcurrentReaders implements AutoCloseable {
    private final PipelineKey pipeline;
    private final CheckpointId id;
    private final byte[][] versions;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicReference<String> violation = new AtomicReference<>();
    private final AtomicInteger replace = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private final List<AtomicInteger> loads = new ArrayList<>();
    private final Object progress = new Object();

    private ConcurrentReaders(PipelineKey pipeline, CheckpointId id, byte[][] versions) {
        this.pipeline = pipeline;
        this.id = id;
        this.versions = versions;
    }

    /** Starts one reader per entry of {@code readers}, named by {@code names}. */
    static ConcurrentReaders start(
            PipelineKey pipeline,
            CheckpointId id,
            byte[][] versions,
            List<String> names,
            List<CheckpointStorage> readers) {
        ConcurrentReaders r = new ConcurrentReaders(pipeline, id, versions);
        for (int i = 0; i < readers.size(); i++) {
            AtomicInteger count = new AtomicInteger();
            r.loads.add(count);
            String name = names.get(i);
            CheckpointStorage storage = readers.get(i);
            Thread t = new Thread(() -> r.readUntilStopped(name, storage, count), "contract-reader-" + i);
            t.setDaemon(true);
            r.threads.add(t);
            t.start();
        }
        return r;
    }

    /** Tells the readers which replace (counted from 1) is under way, for their messages. */
    void replacing(int n) {
        replace.set(n);
    }

    /** The fewest loads any one reader has completed. */
    int fewestLoads() {
        return loads.stream().mapToInt(AtomicInteger::get).min().orElse(0);
    }

    /**
     * Waits until every reader has finished one more load than it had when called, or a reader
     * saw something forbidden.
     *
     * @throws AssertionError if a reader did not finish a load within {@code timeoutNanos}
     */
    void awaitALoadByEveryReader(long timeoutNanos) throws InterruptedException {
        int[] before = loads.stream().mapToInt(AtomicInteger::get).toArray();
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (progress) {
            for (int i = 0; i < before.length; i++) {
                while (loads.get(i).get() <= before[i] && violation.get() == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("a reader did not finish a load within "
                                + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s of a replace");
                    }
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                }
            }
        }
    }

    /** The first forbidden observation, if any. */
    Optional<String> violation() {
        return Optional.ofNullable(violation.get());
    }

    private void readUntilStopped(String name, CheckpointStorage storage, AtomicInteger count) {
        while (running.get() && violation.get() == null) {
            String seen;
            try {
                seen = check(storage);
            } catch (Throwable t) {
                seen = "threw " + t;
            }
            int n = count.incrementAndGet();
            synchronized (progress) {
                progress.notifyAll();
            }
            if (seen != null) {
                violation.compareAndSet(
                        null, "reader on " + name + ", load " + n + ", during replace " + replace.get() + ": " + seen);
            }
        }
    }

    /** What is wrong with one load and one listing, or null if nothing is. */
    private String check(CheckpointStorage storage) throws Exception {
        Optional<byte[]> loaded = storage.load(pipeline, id);
        if (loaded.isEmpty()) {
            return "load found no checkpoint " + id;
        }
        byte[] bytes = loaded.get();
        if (!Arrays.equals(bytes, versions[0]) && !Arrays.equals(bytes, versions[1])) {
            return "load returned " + bytes.length + " bytes that are neither version (" + versions[0].length
                    + " bytes, first difference at " + Arrays.mismatch(bytes, versions[0]) + "; "
                    + versions[1].length + " bytes, first difference at " + Arrays.mismatch(bytes, versions[1]) + ")";
        }
        if (!storage.list(pipeline).contains(id)) {
            return "list does not show checkpoint " + id;
        }
        return null;
    }

    /** Stops the readers and waits for them to finish their last load. */
    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(60_000);
        }
    }

    /** Stops the readers; a test that fails midway leaves none running. */
    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
